"""Effect of augmentation on accuracy: the plain on-the-fly run against the same run with batched audio and
spectrogram augmentations (and optionally MixUp), same data, architecture, epochs, batch size, learning rate and seed.
Accuracy is on the instrument-disjoint validation split of the default rendered set (instruments never heard in training).

    python bench/augment_effect.py                                  # plain vs augmented, print the table
    python bench/augment_effect.py --variants plain augment mixup   # and augmentation + MixUp
    python bench/augment_effect.py --append bench/RESULTS.md        # append the section"""
import argparse, os, sys, time, platform, warnings
import numpy as np, torch
warnings.filterwarnings('ignore')
from fastai.vision.all import *
import datetime as dt   # after fastai's star import, which brings the class `datetime`
from fastai_audio_nb.augment import audio_augment, augment_presets
from fastai_audio_nb.datasets import get_nsynth_gm
from fastai_audio_nb.learner import audio_learner, fit_epochs
from fastai_audio_nb.data import folder_dls
from fastai_audio_nb.models import get_arch
from benchutil import append_section

# the augmentation of each variant: `audio_augment`'s arguments (None: no augmentation); 'augment' is the default chain
variants = {'plain': None, 'augment': {}, 'mixup': {}, **{k:v for k,v in augment_presets.items() if k!='default'}}

def variant_dls(name, path, bs, device):
    "The DataLoaders of variant `name` (a key of `variants`)"
    kw = variants[name]
    tfms = [] if kw is None else audio_augment(**kw)
    return folder_dls(path, bs=bs, device=device, batch_tfms=tfms)

def run_variant(name, path, args):
    set_seed(args.seed)
    dls = variant_dls(name, path, args.bs, args.device)
    cbs = [MixUp()] if name=='mixup' else []
    learn = audio_learner(dls, get_arch(args.arch), pretrained=False, cbs=cbs)
    print(f"\n-- {name}: batch_tfms {[type(t).__name__ for t in dls.train.after_batch.fs]}", flush=True)
    t0 = time.perf_counter()
    table = fit_epochs(learn, args.epochs, args.lr, fine_tune=False, print_fn=lambda s: print(s, flush=True))
    secs = time.perf_counter()-t0
    with learn.no_bar(): acc = float(learn.validate()[1])
    accs = [e.get('accuracy') for e in table.epochs] if table.epochs and 'accuracy' in table.epochs[0] else [acc]
    return dict(name=name, accuracy=acc, per_epoch=accs, seconds=secs)

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--data', default='data/nsynth_gm_default')
    p.add_argument('--arch', default='resnet18'); p.add_argument('--epochs', type=int, default=3)
    p.add_argument('--bs', type=int, default=64); p.add_argument('--lr', type=float, default=3e-3)
    p.add_argument('--seed', type=int, default=42)
    p.add_argument('--variants', nargs='+', default=['plain', 'augment'], choices=list(variants))
    p.add_argument('--device', default='cuda' if torch.cuda.is_available() else 'cpu')
    p.add_argument('--threads', type=int, default=None, help='torch CPU threads (1 is faster on a busy machine)')
    p.add_argument('--append', default=None)
    args = p.parse_args()
    if args.threads: torch.set_num_threads(args.threads)
    load0 = os.getloadavg()[0]
    path = get_nsynth_gm('default', args.data)
    res = [run_variant(v, path, args) for v in args.variants]
    dev = torch.cuda.get_device_name(0) if args.device=='cuda' else f"{platform.machine()}, {os.cpu_count()} cores visible"
    lines = [f"## Augmentation: effect on accuracy ({dt.datetime.now():%Y-%m-%d %H:%M}, {args.device})", "",
             f"Machine: {dev}; torch {torch.__version__}, {torch.get_num_threads()} threads; load average {load0:.1f} at the start, "
             f"{os.getloadavg()[0]:.1f} at the end. Data: {path}, validation instruments never heard in training. "
             f"{args.arch} from scratch, {args.epochs} epochs one-cycle, lr {args.lr}, batch size {args.bs}, seed {args.seed}. "
             f"'augment' = `audio_augment()` defaults (time shift, gain, polarity, coloured noise, low-pass, then the spectrogram, "
             f"then frequency and time masks, each p=0.5 per item, training batches only); 'mixup' adds fastai's `MixUp`; 'masks' = the masks alone; 'mild' = no noise and no low-pass; 'pitch' = mild + pitch shift up to 2 semitones. "
             f"Command: `python bench/augment_effect.py {' '.join(sys.argv[1:])}`.", "",
             "| variant | validation accuracy | per epoch | training s |", "|---|---:|---|---:|"]
    for r in res:
        pe = ', '.join(f'{a:.3f}' for a in r['per_epoch'] if a is not None)
        lines.append(f"| {r['name']} | {r['accuracy']:.4f} | {pe} | {r['seconds']:.0f} |")
    md = '\n'.join(lines) + '\n'
    print('\n' + md)
    if args.append: append_section(args.append, '\n' + md)

if __name__ == '__main__': main()
