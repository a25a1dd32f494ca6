"""The study, side by side: (A) its first pipeline, mel-spectrogram PNGs generated first, then a vision learner on the
images; (B) the same spectrograms computed on the fly in the batch transforms. Same data (the default rendered set,
validation instruments never heard in training), architecture, epochs, batch size, learning rate and seed.

    python bench/study.py                               # print the table
    python bench/study.py --append bench/RESULTS.md     # and append it as a section
    python bench/study.py --device cuda                 # on a GPU

Prints and reports, for each pipeline: validation accuracy, seconds per epoch (training and validation), training
time, the PNG generation time and disk, and the time end to end; then the confusion matrices. (A) writes its PNGs with our
batched transform (`spectrogram_images`); the same PNGs are also written the study's way, librosa one clip at a time in one
process per core, and timed, so that end to end can be compared against either (`--no-librosa` skips that)."""
import argparse, os, sys, time, shutil, platform, warnings
from pathlib import Path
import numpy as np, torch
from itertools import islice
warnings.filterwarnings('ignore')
import matplotlib; matplotlib.use('Agg')
from fastai.vision.all import *
from fastai_audio_nb.core import *
from fastai_audio_nb.spectrogram import SpectrogramConfig, spectrogram_images
from fastai_audio_nb.datasets import get_nsynth_gm, nsynth_items
from fastai_audio_nb.learner import audio_learner, fit_epochs, add_spectrogram
from fastai_audio_nb.interpret import save_figure, AudioInterpretation
from fastai_audio_nb.data import folder_dls, nsynth_label_re
from fastai_audio_nb.models import get_arch
from benchutil import append_section

png_label_re = nsynth_label_re.replace(r'\.wav$', r'\.png$')

def load_avg(): return os.getloadavg()[0] if hasattr(os, 'getloadavg') else float('nan')

def generate_pngs(path, items, dest, device):
    "(A)'s first step: one grayscale PNG per clip (the study's mel settings); seconds and MB"
    if dest.exists(): shutil.rmtree(dest)
    t0 = time.perf_counter()
    res = spectrogram_images(list(items.fname), dest, config=SpectrogramConfig.study(), root=path, device=device, progress=False)
    secs = time.perf_counter()-t0
    mb = sum(p.stat().st_size for p in res['paths'])/1e6
    return secs, mb

def _librosa_png(job):
    "One clip the study's way: librosa's log-mel of the file, scaled to 8 bits as `spectrogram_images` does, written as a PNG"
    import librosa, soundfile as sf
    from PIL import Image
    src, dst = job
    y, sr = sf.read(src, dtype='float32')
    m = librosa.feature.melspectrogram(y=y, sr=sr, n_fft=1024, hop_length=256, n_mels=40, fmin=20, fmax=8000, pad_mode='reflect')   # the study's librosa padded so
    db = librosa.power_to_db(m, ref=np.max, top_db=80.)
    img = np.round(np.clip((db+80.)/80., 0, 1)*255).astype(np.uint8)[::-1]
    dst.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(img).save(dst, format='PNG')
    return dst

def generate_pngs_librosa(path, items, dest, ours):
    "(A)'s first step the study's way: librosa one clip at a time, in one process per core; seconds, and how its PNGs differ from `ours`"
    from fastcore.parallel import parallel
    if dest.exists(): shutil.rmtree(dest)
    jobs = [(Path(f), dest/Path(f).absolute().relative_to(Path(path).absolute()).with_suffix('.png')) for f in items.fname]
    t0 = time.perf_counter()
    parallel(_librosa_png, jobs, n_workers=os.cpu_count(), chunksize=64, progress=False)
    secs = time.perf_counter()-t0
    from PIL import Image
    diffs = []
    for (src, dst) in jobs[::max(1, len(jobs)//200)]:      # 200 of them, against ours
        mine = next(ours.glob(f'**/{dst.name}'))
        diffs.append(np.abs(np.asarray(Image.open(dst), dtype=int) - np.asarray(Image.open(mine), dtype=int)))
    d = np.stack(diffs)
    return secs, int(d.max()), float((d>0).mean())

def image_dls(dest, bs, device):
    "(A): PNGs as 1-channel images, labels from the file names, validation folder nsynth-valid; standardised"
    dblock = DataBlock(blocks=(ImageBlock(cls=PILImageBW), CategoryBlock), get_items=get_image_files,
                       get_y=using_attr(RegexLabeller(png_label_re), 'name'),
                       splitter=FuncSplitter(lambda o: 'nsynth-valid' in Path(o).parts))
    dls = dblock.dataloaders(dest, bs=bs, device=device)
    xs = torch.cat([b[0].float().flatten() for b in islice(dls.train, 4)])    # as SpecNormalize: 4 training batches
    dls.add_tfms([Normalize.from_stats(xs.mean().item(), xs.std().item())], 'after_batch')
    return dls

def image_learner(dls, arch):
    "(A): fastai's vision learner on the images, 1 input channel, from scratch"
    return vision_learner(dls, arch, pretrained=False, n_in=1, normalize=False, metrics=accuracy)

def train(learn, epochs, lr, name):
    print(f"\n-- {name}", flush=True)
    table = fit_epochs(learn, epochs, lr, fine_tune=False, print_fn=lambda s: print(s, flush=True))
    with learn.no_bar():
        interp = AudioInterpretation.from_learner(learn)
        cm = interp.confusion_matrix()
    return dict(accuracy=float(np.trace(cm)/cm.sum()), cm=cm, vocab=list(learn.dls.vocab),
                train_s=sum(e['train_s'] for e in table.epochs), valid_s=sum(e['valid_s'] for e in table.epochs),
                best_epoch_s=min(e['train_s']+e['valid_s'] for e in table.epochs),
                epoch_train_s=[e['train_s'] for e in table.epochs], interp=interp)

def interleaved_steps(dls_a, dls_b, arch, n):
    "Seconds per training step (next batch + forward + backward + update) of (A) and (B), their steps taking turns (ABBA)"
    def stepper(dls, n_in):
        set_seed(0)
        model = create_vision_model(arch, len(dls.vocab), pretrained=False, n_in=n_in).to(dls.device)
        opt, it = torch.optim.Adam(model.parameters()), iter(dls.train)
        def step():
            nonlocal it
            t0 = time.perf_counter()
            try: xb, yb = next(it)
            except StopIteration: it = iter(dls.train); xb, yb = next(it)
            xb, yb = xb.as_subclass(torch.Tensor), yb.as_subclass(torch.Tensor)
            loss = F.cross_entropy(model(xb), yb); loss.backward(); opt.step(); opt.zero_grad()
            return time.perf_counter()-t0
        return step
    a, b = stepper(dls_a, 1), stepper(dls_b, 1)
    a(); b()                                               # warm up (workers, caches)
    ta, tb = [], []
    for i in range(n):
        for f,t in ((a, ta), (b, tb)) if i%2==0 else ((b, tb), (a, ta)): t.append(f())
    return ta, tb

def run(args):
    device = args.device
    path = get_nsynth_gm(args.size, args.data if args.size=='default' else None)
    items = nsynth_items(path)
    tr, va = (set(items[items.split==s].instrument_str) for s in ('train','valid'))
    print(f"data: {path}: {sum(items.split=='train')} training and {sum(items.split=='valid')} validation notes; "
          f"{len(va)} validation instruments, {len(va & tr)} of them in training")
    arch = get_arch(args.arch)
    work = Path(args.work)
    runs = []
    for seed in args.seeds:
        print(f"\n== seed {seed}: (A) PNGs first, then images", flush=True)
        gen_s, mb = generate_pngs(path, items, work/'png', device)
        print(f"generated {len(items)} PNGs in {gen_s:.1f} s, {mb:.1f} MB", flush=True)
        if args.librosa:
            lib_s, lib_max, lib_frac = generate_pngs_librosa(path, items, work/'png_librosa', work/'png')
            print(f"the study's way (librosa, one clip at a time, {os.cpu_count()} processes): {lib_s:.1f} s; pixels differ from ours by at most "
                  f"{lib_max} in {lib_frac*100:.3f}% of them", flush=True)
        set_seed(seed)
        a = train(image_learner(image_dls(work/'png', args.bs, device), arch), args.epochs, args.lr, 'A: images')
        a.update(gen_s=gen_s, mb=mb)
        if args.librosa: a.update(lib_s=lib_s, lib_max=lib_max, lib_frac=lib_frac)
        print(f"\n== seed {seed}: (B) spectrograms on the fly", flush=True)
        set_seed(seed)
        b = train(audio_learner(folder_dls(path, bs=args.bs, device=device), arch, pretrained=False), args.epochs, args.lr, 'B: on the fly')
        b.update(gen_s=0., mb=0.)
        if args.interleaved:
            print(f"\n== interleaved training steps, {args.interleaved} each", flush=True)
            set_seed(seed)
            ta, tb = interleaved_steps(image_dls(work/'png', args.bs, device), add_spectrogram(folder_dls(path, bs=args.bs, device=device)), arch, args.interleaved)
            a['step_s'], b['step_s'] = float(np.median(ta)), float(np.median(tb))
            a['steps_sum'], b['steps_sum'] = sum(ta), sum(tb)
            print(f"median s/step: A {a['step_s']:.3f}, B {b['step_s']:.3f}; ratio of sums {sum(tb)/sum(ta):.3f}", flush=True)
        runs.append((seed, a, b))
        if args.figures:
            for name, r in (('images', a), ('on_the_fly', b)):
                r['interp'].plot_confusion_matrix(figsize=(7, 7), title=f'{name}, seed {seed}')
                save_figure(Path(args.figures)/f'study_confusion_{name}_seed{seed}.png')
    return path, items, runs

def cm_table(cm, vocab):
    head = '| actual \\ predicted | ' + ' | '.join(v[:5] for v in vocab) + ' |'
    rows = [f'| {v} | ' + ' | '.join(str(int(x)) for x in row) + ' |' for v,row in zip(vocab, cm)]
    return '\n'.join([head, '|---|' + '---:|'*len(vocab)] + rows)

def report(args, path, items, runs, load0, load1):
    dev = torch.cuda.get_device_name(0) if args.device=='cuda' else f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores visible"
    lines = [f"## The study side by side: PNGs first vs spectrograms on the fly ({time.strftime('%Y-%m-%d %H:%M')}, {args.device})", "",
             f"Machine: {dev}; torch {torch.__version__} with {torch.get_num_threads()} threads; load average {load0:.1f} at the start, {load1:.1f} at the end.",
             f"Data: {path} ({sum(items.split=='train')} training, {sum(items.split=='valid')} validation notes of 4 s; the validation instruments never occur in training).",
             f"Both: {args.arch} from scratch (no ImageNet weights offline), 1 input channel, {args.epochs} epochs one-cycle, lr {args.lr}, batch size {args.bs}, "
             f"the study's mel settings (40 bands 20-8000 Hz, n_fft 1024, hop 256, dB ref=max, top_db 80), per-channel standardisation from 4 training batches. "
             f"(A) writes 8-bit grayscale PNGs first (`spectrogram_images`), then trains fastai's `vision_learner` on them; (B) `audio_learner` computes them in the batch transforms. "
             f"Command: `python bench/study.py {' '.join(sys.argv[1:])}`.", "",
             "| seed | pipeline | accuracy | s/epoch train | s/epoch valid | fastest epoch s | training s | PNG generation s | PNG MB | end to end s |",
             "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for seed, a, b in runs:
        for name, r in (('A: PNGs, then images', a), ('B: on the fly', b)):
            lines.append(f"| {seed} | {name} | {r['accuracy']:.4f} | {r['train_s']/args.epochs:.1f} | {r['valid_s']/args.epochs:.1f} | {r['best_epoch_s']:.1f} | "
                         f"{r['train_s']+r['valid_s']:.0f} | {r['gen_s']:.1f} | {r['mb']:.1f} | {r['gen_s']+r['train_s']+r['valid_s']:.0f} |")
    if all('step_s' in a for _,a,_ in runs):
        lines += ["", f"Interleaved timing (the two pipelines' training steps taking turns, ABBA, {args.interleaved} each, so that other jobs on the machine slow both alike; a step is the next batch, forward, backward and update):", "",
                  "| seed | s/step A: images | s/step B: on the fly | B / A (sums) |", "|---:|---:|---:|---:|"]
        lines += [f"| {seed} | {a['step_s']:.3f} | {b['step_s']:.3f} | {b['steps_sum']/a['steps_sum']:.3f} |" for seed,a,b in runs]
    ep = lambda r: (r['train_s']+r['valid_s'])/args.epochs
    ratios = [ep(b)/ep(a) for _,a,b in runs]
    dacc = [b['accuracy']-a['accuracy'] for _,a,b in runs]
    e2e = [(b['train_s']+b['valid_s'])/(a['gen_s']+a['train_s']+a['valid_s']) for _,a,b in runs]
    tgt = 1.10 if args.device=='cpu' else 1.05
    steps = [b['steps_sum']/a['steps_sum'] for _,a,b in runs if 'steps_sum' in a]
    best = [b['best_epoch_s']/a['best_epoch_s'] for _,a,b in runs]
    e2e_best = [args.epochs*b['best_epoch_s']/(a['gen_s']+args.epochs*a['best_epoch_s']) for _,a,b in runs]
    lines += ["", f"Epoch time on the fly / images: {', '.join(f'{r:.3f}' for r in ratios)} in the full runs, "
              f"{', '.join(f'{r:.3f}' for r in best)} by their fastest epochs"
              + (f", {', '.join(f'{r:.3f}' for r in steps)} interleaved" if steps else '') + f" (target <= {tgt}: "
              f"{'met' if max(steps or ratios)<=tgt else 'NOT met'}{', by the interleaved figure' if steps else ''}). Accuracy on the fly - images: {', '.join(f'{d*100:+.1f}' for d in dacc)} points "
              f"(target >= 0: {'met' if min(dacc)>=0 else 'NOT met'}; the study lost 2-4 points). End to end, generation included, "
              f"on the fly / images: {', '.join(f'{r:.3f}' for r in e2e)} as run, {', '.join(f'{r:.3f}' for r in e2e_best)} with every epoch as fast as the fastest "
              f"(target < 1: {'met' if max(e2e)<1 else 'NOT met'} as run, {'met' if max(e2e_best)<1 else 'NOT met'} by the fastest epochs).", ""]
    if all('lib_s' in a for _,a,_ in runs):
        e2e_lib = [(b['train_s']+b['valid_s'])/(a['lib_s']+a['train_s']+a['valid_s']) for _,a,b in runs]
        lib_secs = ', '.join(f"{a['lib_s']:.1f}" for _,a,_ in runs)
        e2e_lib_best = [args.epochs*b['best_epoch_s']/(a['lib_s']+args.epochs*a['best_epoch_s']) for _,a,b in runs]
        lines += [f"The study generated its PNGs with librosa, one clip at a time. Done that way here (`soundfile` + librosa `melspectrogram` + `power_to_db`, "
                  f"in {os.cpu_count()} processes), the same PNGs take {lib_secs} s "
                  f"(pixels differ from ours by at most {max(a['lib_max'] for _,a,_ in runs)}, in {max(a['lib_frac'] for _,a,_ in runs)*100:.3f}% of them; "
                  f"(A) above uses `spectrogram_images`, our batched transform, and trains on its PNGs). End to end against the study's generation: "
                  f"{', '.join(f'{r:.3f}' for r in e2e_lib)} as run, {', '.join(f'{r:.3f}' for r in e2e_lib_best)} by the fastest epochs "
                  f"(target < 1: {'met' if max(e2e_lib)<1 else 'NOT met'} as run, {'met' if max(e2e_lib_best)<1 else 'NOT met'} by the fastest epochs).", ""]
    seed, a, b = runs[-1]
    lines += [f"Confusion matrix, on the fly (seed {seed}; rows actual, columns predicted):", "", cm_table(b['cm'], b['vocab']), "",
              f"Confusion matrix, images (seed {seed}):", "", cm_table(a['cm'], a['vocab']), ""]
    return '\n'.join(lines)

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--data', default='data/nsynth_gm_default', help='the default rendered set (rendered if missing)')
    p.add_argument('--size', default='default', choices=['default', 'mini'], help="'mini': a quick check of this script")
    p.add_argument('--arch', default='resnet18'); p.add_argument('--epochs', type=int, default=3)
    p.add_argument('--bs', type=int, default=64); p.add_argument('--lr', type=float, default=3e-3)
    p.add_argument('--seeds', type=int, nargs='+', default=[42])
    p.add_argument('--interleaved', type=int, default=30, help='also time this many training steps of each pipeline, taking turns (0: no)')
    p.add_argument('--no-librosa', dest='librosa', action='store_false', help="skip timing the study's own PNG generation (librosa, one clip at a time)")
    p.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    p.add_argument('--work', default='/tmp/fastai_audio_study', help='where the PNGs go')
    p.add_argument('--figures', default=None, help='also save the confusion matrices as PNGs in this folder')
    p.add_argument('--append', default=None, help='append the section to this markdown file (bench/RESULTS.md)')
    args = p.parse_args()
    load0 = load_avg()
    path, items, runs = run(args)
    md = report(args, path, items, runs, load0, load_avg())
    print('\n' + md)
    if args.append: append_section(args.append, '\n' + md)

if __name__ == '__main__': main()
