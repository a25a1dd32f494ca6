"""Why an epoch on the fly costs more than on PNGs: (B)'s training steps in several loading variants against (A)'s,
all taking turns in one run (so other jobs on the machine slow them alike), then one epoch of each with fastai's `Learner`.

    python bench/epoch_ratio.py --device cuda --append bench/RESULTS.md
    python bench/epoch_ratio.py --size mini --epochs 0          # a quick check of this script on a CPU

(A): the study's PNGs (written first by `spectrogram_images`), fastai's `vision_learner` loaders. Variants of (B), the
same audio files and spectrogram transforms:
- `pinned`: the `AudioDataLoaders` default on a GPU (batches copied into page-locked memory by the loader);
- `unpinned`: fastai's default (`pin_memory=False`), as in the first GPU run of the study;
- `async`: pinned, and the copy to the GPU not waited for (`non_blocking=True`; fastai 2.8.7 waits for it);
- `wN`: pinned, with N loader processes instead of fastai's default (the CPUs, at most 16);
- `f32`: pinned, the samples travelling as float32 (`AudioBlock(int16=False)`, the default before 2026-11-27 13:30)
  instead of int16, twice the bytes.
A step is the next batch, forward, backward and update (plain Adam), as in `bench/study.py`'s interleaved timing."""
import argparse, sys, time, warnings
from contextlib import contextmanager
from pathlib import Path
import numpy as np, torch
warnings.filterwarnings('ignore')
import matplotlib; matplotlib.use('Agg')
sys.path.insert(0, str(Path(__file__).parent))
from study import generate_pngs, image_dls, load_avg
from benchutil import machine, sync, append_section
from fastai.vision.all import *
import fastai.data.load as fload
from fastai_audio_nb.datasets import get_nsynth_gm, nsynth_items
from fastai_audio_nb.learner import audio_learner, add_spectrogram, audio_loader
from fastai_audio_nb.data import folder_dls
from fastai_audio_nb.models import get_arch

@contextmanager
def async_copy(on:bool):
    "Within: fastai's loaders copy batches to their device without waiting (`non_blocking=True`), when `on`"
    if not on: yield; return
    old = fload.to_device
    fload.to_device = partial(old, non_blocking=True)
    try: yield
    finally: fload.to_device = old

def b_dls(path, variant, bs, device):
    "(B)'s `DataLoaders` in `variant`, and whether its copies are asynchronous"
    kw = dict(bs=bs, device=device)
    if variant=='unpinned': kw['pin_memory'] = False
    elif variant.startswith('w'): kw['num_workers'] = int(variant[1:])
    elif variant not in ('pinned', 'async', 'f32'): raise SystemExit(f"unknown variant {variant!r}: pinned, unpinned, async, f32 or wN")
    dls = folder_dls(path, **kw)
    if variant=='f32': audio_loader(dls).int16 = False
    return add_spectrogram(dls), variant=='async'

def stepper(dls, arch, n_in, is_async):
    "A function doing one training step on `dls`' next batch, and returning its seconds"
    set_seed(0)
    model = create_vision_model(arch, len(dls.vocab), pretrained=False, n_in=n_in).to(dls.device)
    opt, it = torch.optim.Adam(model.parameters()), None
    def step():
        nonlocal it
        sync(dls.device)
        t0 = time.perf_counter()
        with async_copy(is_async):
            if it is None: it = iter(dls.train)
            try: xb, yb = next(it)
            except StopIteration: it = iter(dls.train); xb, yb = next(it)
        xb, yb = xb.as_subclass(torch.Tensor), yb.as_subclass(torch.Tensor)
        loss = F.cross_entropy(model(xb), yb); loss.backward(); opt.step(); opt.zero_grad()
        sync(dls.device)
        return time.perf_counter()-t0
    return step

def taking_turns(steppers:dict, n:int)->dict:
    "`n` timed steps of each stepper, in turns whose order reverses every round (ABC CBA ...); two warm-up steps each"
    for f in steppers.values(): f(); f()
    ts, names = {k: [] for k in steppers}, list(steppers)
    for i in range(n):
        for k in (names if i%2==0 else names[::-1]): ts[k].append(steppers[k]())
    return ts

def epoch_s(learn, is_async, lr=3e-3):
    "Seconds of one `fit` epoch (training and validation), after a warm-up epoch"
    with learn.no_bar(), learn.no_logging(), async_copy(is_async):
        learn.fit(1, lr)
        t0 = time.perf_counter(); learn.fit(1, lr); return time.perf_counter()-t0

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--data', default='data/nsynth_gm_default'); p.add_argument('--size', default='default', choices=['default', 'mini'])
    p.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    p.add_argument('--variants', nargs='+', default=['pinned', 'f32', 'unpinned', 'async', 'w8'])
    p.add_argument('--steps', type=int, default=40, help='timed steps of each pipeline')
    p.add_argument('--epochs', type=int, default=None, help='also time one Learner epoch of each (default: on a GPU only)')
    p.add_argument('--arch', default='resnet18'); p.add_argument('--bs', type=int, default=64)
    p.add_argument('--work', default='/tmp/fastai_audio_epoch_ratio'); p.add_argument('--append', default=None)
    a = p.parse_args()
    if a.device=='cpu': a.variants = [v for v in a.variants if v not in ('async',)]   # nothing to copy on a CPU
    epochs = ifnone(a.epochs, 1 if a.device=='cuda' else 0)
    desc, path = machine(a.device), get_nsynth_gm(a.size, a.data if a.size=='default' else None)
    items, arch, work = nsynth_items(path), get_arch(a.arch), Path(a.work)
    gen_s, _ = generate_pngs(path, items, work/'png', a.device)
    dls = {'A: images': (image_dls(work/'png', a.bs, a.device), False)}
    for v in a.variants: dls[f'B: {v}'] = b_dls(path, v, a.bs, a.device)
    ts = taking_turns({k: stepper(d, arch, 1, asy) for k,(d,asy) in dls.items()}, a.steps)
    ep = {}
    for k,(d,asy) in dls.items():
        if not epochs: break
        learn = (vision_learner(d, arch, pretrained=False, n_in=1, normalize=False, metrics=accuracy) if k.startswith('A')
                 else audio_learner(d, arch, pretrained=False))
        ep[k] = epoch_s(learn, asy)
    base = sum(ts['A: images'])
    lines = [f"## Epoch ratio by loading variant ({time.strftime('%Y-%m-%d %H:%M')}, {a.device})", "",
             f"Machine: {desc}, {load_avg():.1f} at the end. Data: {path} "
             f"({len(items)} notes of 4 s); {a.arch} from scratch, batch size {a.bs}; {a.steps} steps of each pipeline taking turns; "
             f"PNGs for (A) written in {gen_s:.1f} s. Command: `python bench/epoch_ratio.py {' '.join(sys.argv[1:])}`.", "",
             "| pipeline | loader processes | pinned | median ms/step | mean ms/step | B / A (sums) |" + (" one epoch, s | B / A |" if ep else ""),
             "|---|---:|---|---:|---:|---:|" + ("---:|---:|" if ep else "")]
    for k,(d,asy) in dls.items():
        t = np.array(ts[k])*1000
        row = f"| {k}{' (async copy)' if asy else ''} | {d.train.fake_l.num_workers} | {d.train.pin_memory} | {np.median(t):.1f} | {t.mean():.1f} | {sum(ts[k])/base:.3f} |"
        if ep: row += f" {ep[k]:.2f} | {ep[k]/ep['A: images']:.3f} |"
        lines.append(row)
    md = '\n'.join(lines) + '\n'
    print('\n' + md)
    if a.append: append_section(a.append, '\n' + md)

if __name__ == '__main__': main()
