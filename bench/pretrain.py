"""Benchmark: random, audio-pretrained (and ImageNet) starts side by side, with the same fine-tuning budget.

On the default rendered set (`data/nsynth_gm_default`: training notes from FluidR3_GM and MuseScore_General_Lite,
validation notes from TimGM6mb, so the validation instruments are never heard in training nor in pretraining):

- family: the study's task, 11 NSynth families, `--epochs` epochs per start;
- velocity: a label the pretraining never saw (5 classes), `--velocity-epochs` epochs per start;
- few-shot: the families again from only `--few-shot` training notes per family, `--few-shot-epochs` epochs per start.

The same fine-tuning budget for every start (`finetune_run`, below): the same data, batch size,
epochs, and `fit_one_cycle` at the same learning rate (`--lr`, 3e-3) over all layers. random = `audio_learner(...,
pretrained=False)`; audio = the same learner + `load_audio_pretrained(learn, --weights)`, unfrozen; imagenet =
`audio_learner(..., weights=--imagenet-weights)` (torchvision architectures only), unfrozen. `--fine-tune-tasks`
adds, on those tasks, the audio start fine-tuned with fastai's recipe (`fit_epochs`: one frozen epoch, then all
layers with discriminative learning rates, lr 2e-3) as 'audio, fine_tune'.
Prints, per task, the validation accuracy after each epoch and the epoch and training seconds at which each start
reaches the random start's final accuracy; `--append bench/RESULTS.md` adds them with a description of the machine.
Usage: python bench/pretrain.py [--weights models/audio_resnet.pth] [--arch audio_resnet] [--epochs 5]
       [--tasks family,velocity,few-shot] [--fine-tune-tasks family] [--imagenet-weights PATH] [--device cpu]
       [--append bench/RESULTS.md]

The harness (`finetune_run`, `compare_starts`, `starts_summary`, `time_to_accuracy`, `few_shot`) is tested, and run at small scale,
at the end of nbs/09_pretrain.ipynb, which loads this file.
"""
import argparse, json, os, platform, sys, time, datetime
from pathlib import Path
import pandas as pd, torch
from fastai.torch_core import set_seed
from fastai_audio_nb.core import check_choice
from fastai_audio_nb.learner import audio_learner, load_audio_pretrained, fit_epochs

def finetune_run(make_dls,             # a function returning fresh audio `DataLoaders`
                 arch,                 # the architecture (the same for every start)
                 start:str='random',   # 'random', 'audio' or 'imagenet'
                 weights=None,         # the audio weights file ('audio'), or an ImageNet weights file ('imagenet'; None: download)
                 epochs:int=5,         # epochs in all
                 lr:float=None,        # learning rate (None: `fit_epochs`' default for the start)
                 fine_tune:bool=None,  # freeze for the first epoch (None: for a pretrained start)
                 seed:int=42,          # seeds the order, the initial weights and the augmentations
                 print_fn=None,        # where the epoch table goes (None: nowhere)
                )->pd.DataFrame:
    "Train `arch` on `make_dls()` from `start`; one row per epoch: validation accuracy, loss and seconds"
    check_choice(start, ('random','audio','imagenet'), 'start')
    if start=='audio' and weights is None: raise ValueError("start='audio' needs the weights file (make pretrain writes models/audio_resnet.pth)")
    set_seed(seed)
    dls = make_dls()
    if start=='imagenet': learn = audio_learner(dls, arch, pretrained=True, weights=weights)
    else: learn = audio_learner(dls, arch, pretrained=False)
    if start=='audio': load_audio_pretrained(learn, weights)
    if start!='random' and fine_tune is False: learn.unfreeze()   # the random start's schedule: all layers at once
    table = fit_epochs(learn, epochs, lr, fine_tune=fine_tune, print_fn=print_fn)
    df = pd.DataFrame(table.epochs)
    df['epoch'] = range(1, len(df)+1)
    df['seconds'] = df.train_s.cumsum()
    df.insert(0, 'start', start)
    return df[['start','epoch','train_loss','valid_loss','accuracy','train_s','valid_s','seconds']]

def time_to_accuracy(hist:pd.DataFrame, # `finetune_run`'s result
                     target:float,      # the accuracy to reach
                    )->dict:
    "The first epoch whose validation accuracy reaches `target`, and the training seconds until then (None: never)"
    hit = hist[hist.accuracy >= target-1e-9]
    if not len(hit): return dict(epoch=None, seconds=None)
    return dict(epoch=int(hit.epoch.iloc[0]), seconds=float(hit.seconds.iloc[0]))

def compare_starts(make_dls,        # a function returning fresh audio `DataLoaders`
                   arch,            # the architecture
                   starts:dict,     # `{name: dict(start=..., weights=..., fine_tune=..., lr=...)}`, run in order
                   epochs:int=5,    # epochs for every start
                   seed:int=42,     # the same seed for every start
                   print_fn=print,  # progress and epoch tables (None: nowhere)
                  )->pd.DataFrame:
    "`finetune_run` for each of `starts` with the same budget; their epochs, one DataFrame"
    res = []
    for name,kw in starts.items():
        if print_fn: print_fn(f"-- {name}")
        res.append(finetune_run(make_dls, arch, epochs=epochs, seed=seed, print_fn=print_fn, **kw).assign(start=name))
    return pd.concat(res, ignore_index=True)

def starts_summary(res:pd.DataFrame,        # `compare_starts`' result
                   baseline:str='random',   # the start whose final accuracy the others race to
                  )->pd.DataFrame:
    "Per start: accuracy per epoch, final and best accuracy, and the epoch and seconds to reach the baseline's final accuracy"
    target = res[res.start==baseline].accuracy.iloc[-1] if (res.start==baseline).any() else None
    rows = []
    for name,h in res.groupby('start', sort=False):
        t = time_to_accuracy(h, target) if target is not None else dict(epoch=None, seconds=None)
        rows.append({'start': name, 'accuracy per epoch': ' '.join(f'{a:.3f}' for a in h.accuracy),
                     'final': h.accuracy.iloc[-1], 'best': h.accuracy.max(), f'epochs to {baseline} final': t['epoch'],
                     f'seconds to {baseline} final': t['seconds'], 'training seconds': h.train_s.sum()})
    return pd.DataFrame(rows).set_index('start')

def few_shot(items:pd.DataFrame,                # `nsynth_items`' notes
             n:int=10,                          # training notes per class
             label:str='instrument_family_str', # the class column
             seed:int=42,                       # seeds the choice
            )->pd.DataFrame:
    "All validation notes, and `n` random training notes of each class"
    tr = items[items.split=='train'].sample(frac=1, random_state=seed)
    pick = tr.groupby(label, sort=False).head(n).sort_index()
    return pd.concat([pick, items[items.split!='train']], ignore_index=True)


def get_args():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--weights', default='models/audio_resnet.pth', help='audio weights (make pretrain)')
    p.add_argument('--arch', default='audio_resnet', help='audio_resnet (CPU path) or a torchvision model (resnet18)')
    p.add_argument('--data', default='data/nsynth_gm_default', help='the rendered default set (rendered if missing)')
    p.add_argument('--tasks', default='family,velocity,few-shot', help='comma-separated: family, velocity, few-shot')
    p.add_argument('--epochs', type=int, default=5, help='epochs per start, family task')
    p.add_argument('--velocity-epochs', type=int, default=3, help='epochs per start, velocity task')
    p.add_argument('--few-shot', type=int, default=10, help='training notes per family, few-shot task')
    p.add_argument('--few-shot-epochs', type=int, default=6, help='epochs per start, few-shot task')
    p.add_argument('--bs', type=int, default=64, help='batch size (few-shot: 16)')
    p.add_argument('--imagenet-weights', default=None, help='an ImageNet weights file for --arch (torchvision models)')
    p.add_argument('--lr', type=float, default=3e-3, help='the learning rate of every start (fit_one_cycle)')
    p.add_argument('--fine-tune-tasks', default='', help="tasks that also get 'audio, fine_tune' (fastai's fine_tune recipe)")
    p.add_argument('--device', default=None, help='cpu or cuda (default: cuda if there is a GPU)')
    p.add_argument('--threads', type=int, default=None, help="torch CPU threads (default: torch's); 1 is faster on a busy machine")
    p.add_argument('--seed', type=int, default=42)
    p.add_argument('--json', default='bench/out/pretrain.json', help='all epochs of all runs, as JSON')
    p.add_argument('--append', default=None, help='append the results to this markdown file')
    return p.parse_args()

def load(): return os.getloadavg()[0] if hasattr(os, 'getloadavg') else float('nan')

def md_table(summ, res):
    "The summary as markdown rows"
    cols = list(summ.columns)
    lines = ['| start | accuracy after each epoch | final | ' + ' | '.join(c for c in cols[3:]) + ' |',
             '|---|---|---:|' + '---:|'*len(cols[3:])]
    fmt = lambda v: '—' if v is None or v!=v else (f'{v:.0f}' if isinstance(v, float) else str(v))
    for name,r in summ.iterrows():
        lines.append(f"| {name} | {r['accuracy per epoch']} | {r['final']:.3f} | " + ' | '.join(fmt(r[c]) for c in cols[3:]) + ' |')
    return lines

def main():
    from benchutil import machine, append_section   # (bench/ is on the path when run as a script)
    a = get_args()
    if a.threads: torch.set_num_threads(a.threads)
    from fastai.torch_core import default_device
    if a.device=='cpu' or (a.device is None and not torch.cuda.is_available()): default_device(False)
    elif a.device.startswith('cuda') and not torch.cuda.is_available(): sys.exit('--device cuda: no GPU here')
    from fastai_audio_nb.datasets import get_nsynth_gm, nsynth_items
    from fastai_audio_nb.datasets import nsynth_dls
    from fastai_audio_nb.models import get_arch
    from fastai_audio_nb.models import read_audio_weights
    data = Path(a.data) if (Path(a.data)/'nsynth-valid'/'examples.json').exists() else get_nsynth_gm('default', a.data)
    items = nsynth_items(data)
    arch = get_arch(a.arch)
    _, meta = read_audio_weights(a.weights)
    starts = {'random': dict(start='random', lr=a.lr), 'audio': dict(start='audio', weights=a.weights, fine_tune=False, lr=a.lr)}
    if a.imagenet_weights: starts['imagenet'] = dict(start='imagenet', weights=a.imagenet_weights, fine_tune=False, lr=a.lr)
    ft_tasks = [t.strip() for t in a.fine_tune_tasks.split(',') if t.strip()]
    fs = few_shot(items, a.few_shot, seed=a.seed)
    tasks = {'family': (lambda: nsynth_dls(data, bs=a.bs), a.epochs, f'11 NSynth families, {sum(items.split=="train")} training notes'),
             'velocity': (lambda: nsynth_dls(data, 'velocity', bs=a.bs), a.velocity_epochs,
                          f'velocity (5 classes, never a pretraining label), {sum(items.split=="train")} training notes'),
             'few-shot': (lambda: nsynth_dls(data, items=fs, bs=16), a.few_shot_epochs,
                          f'11 NSynth families from {a.few_shot} training notes per family ({sum(fs.split=="train")} notes), batch size 16')}
    todo = [t.strip() for t in a.tasks.split(',') if t.strip()]
    if bad := [t for t in todo if t not in tasks]: sys.exit(f'unknown tasks {bad}: use {list(tasks)}')
    desc, l0, t0, out = machine(a.device or ('cuda' if torch.cuda.is_available() else 'cpu'), load=False), load(), time.time(), {}
    print(f'machine: {desc}; load average {l0:.1f}\nweights: {a.weights} ({meta.get("arch")}, pretrained on {meta.get("notes")} notes, '
          f'{meta.get("epochs")} epochs, {meta.get("train_seconds")} s)\n')
    for t in todo:
        make, epochs, what = tasks[t]
        print(f'== {t}: {what}; {epochs} epochs per start')
        st = {**starts, **({'audio, fine_tune': dict(start='audio', weights=a.weights)} if t in ft_tasks else {})}
        res = compare_starts(make, arch, st, epochs, seed=a.seed)
        summ = starts_summary(res)
        print(summ.to_string(float_format=lambda v: f'{v:.3f}')); print()
        out[t] = dict(what=what, epochs=epochs, runs=res.to_dict('records'), summary=summ.reset_index().to_dict('records'))
    l1, total = load(), time.time()-t0
    print(f'load average {l0:.1f} at the start, {l1:.1f} at the end; {total/60:.1f} min in all')
    if a.json:
        Path(a.json).parent.mkdir(parents=True, exist_ok=True)
        Path(a.json).write_text(json.dumps(dict(machine=desc, load=[l0, l1], args=vars(a), weights_meta={k:v for k,v in meta.items() if k!='history'},
                                                pretrain_history=meta.get('history'), tasks=out), indent=1, default=str))
    if a.append:
        when = datetime.datetime.now().strftime('%Y-%m-%d %H:%M')
        dev = 'cuda' if 'GPU' in desc else 'cpu'
        cmd = 'python bench/pretrain.py ' + ' '.join(sys.argv[1:])
        hist = ', '.join(f"{h.get('program_accuracy', 0):.3f}" for h in meta.get('history') or [])
        sfs = ', '.join(meta.get('soundfonts', []))
        n_valid = sum(items.split=='valid')
        imnet = ('included.' if a.imagenet_weights else 'not measured (no ImageNet weights offline here; '
                 '`--imagenet-weights PATH` adds them for torchvision architectures).')
        txt = [f'\n## Audio pretraining: {when}, {dev}\n',
               f'Machine: {desc}; load average {l0:.1f} at the start, {l1:.1f} at the end (other jobs share the CPU). '
               f'Command `{cmd}`; {total/60:.1f} min in all.',
               f"Weights: `{a.weights}`, {meta.get('arch')} body pretrained on {meta.get('notes')} notes ({meta.get('programs')} GM programs, "
               f"{sfs}; never TimGM6mb) for {meta.get('epochs')} epochs ({meta.get('task')}): {meta.get('train_seconds')} s of training "
               f"on {meta.get('device')}; held-out program accuracy {meta.get('program_accuracy', 0):.3f}, pitch accuracy "
               f"{meta.get('pitch_accuracy', 0):.3f} (program accuracy per epoch: {hist}).",
               f"Validation: {n_valid} notes of the TimGM6mb instruments (instrument-disjoint from training and pretraining). "
               f"Every start: fit_one_cycle, lr {a.lr}, all layers, the same data, batch size and epochs ('audio, fine_tune': fastai's "
               f"fine_tune recipe instead). Seconds: cumulative training seconds (validation excluded). ImageNet: {imnet}"]
        for t,o in out.items():
            txt += [f'\n**{t}**: {o["what"]}; {o["epochs"]} epochs per start.\n', *md_table(pd.DataFrame(o['summary']).set_index('start'), None)]
        append_section(a.append, '\n'.join(txt) + '\n')

if __name__ == '__main__': main()
