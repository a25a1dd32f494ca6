"""Benchmark: a training step of each AudioSet backbone (`fastai_audio_nb.audioset`), with a resnet18 on the study's
spectrogram beside it, and the parameter counts.

A step is the front-end (the backbone's own spectrogram, on the batch's device), forward and backward of body and
fastai head (`body_learner`'s: `create_head` on the embedding, 11 classes), everything trainable (fine-tuning after the
frozen epoch), on a batch of `--bs` clips of 4 s at the backbone's rate (rendered notes of the mini set, resampled).
The batch goes through in micro-batches of `--micro` clips (the gradients add up: the same work; it keeps the memory of
AST's backward within a shared machine's), random weights (AST: its base configuration). The resnet18 row is
`audio_learner`'s model from scratch on the study's log mel (16 kHz, 40 bands, hop 256). Each row is the best of
`--repeats` timed steps after a warm-up step on 2 clips; the load average is read before and after each row (the
machine may be shared). Prints a table; `--append bench/RESULTS.md` appends it.
Usage: python bench/audioset.py [--device cuda] [--bs 32] [--micro 8] [--repeats 1] [--only panns_cnn6,ast] [--append bench/RESULTS.md]
"""
import argparse, os, time, datetime
import torch, torch.nn as nn
from benchutil import machine, sync, append_section

def get_args():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--device', default='cpu')
    p.add_argument('--bs', type=int, default=32, help='clips per step')
    p.add_argument('--micro', type=int, default=8, help='clips per forward/backward (the step adds up bs/micro of them)')
    p.add_argument('--repeats', type=int, default=1, help='timed steps per row; the best is reported')
    p.add_argument('--only', default=None, help='comma-separated backbones (default: all five and resnet18)')
    p.add_argument('--append', default=None, help='append the results to this markdown file')
    return p.parse_args()

def clips(n, sr):
    "`n` rendered notes of 4 s at `sr` (`(n, 1, samples)` AudioTensor)"
    from fastai_audio_nb.datasets import get_nsynth_gm
    from fastai_audio_nb.core import load_audio, get_audio_files, AudioTensor
    fs = sorted(get_audio_files(get_nsynth_gm('mini')))
    return AudioTensor(torch.stack([load_audio(fs[i % len(fs)], sr=sr) for i in range(n)]), sr=sr)

def models(only=None):
    "(name, model, front-end transforms, sample rate) for each row (of `only`, when given)"
    from fasttransform.transform import Pipeline
    from fastai.vision.learner import create_head, create_vision_model
    from torchvision.models import resnet18
    from fastai_audio_nb.audioset import audioset_backbones, audioset_body
    from fastai_audio_nb.spectrogram import SpectrogramConfig
    cfg = SpectrogramConfig.study()
    if not only or 'resnet18' in only:    # first: the reference of the ratios
        yield 'resnet18', create_vision_model(resnet18, 11, pretrained=False, n_in=1), Pipeline(cfg.batch_tfms()), 16000
    for name in audioset_backbones:
        if only and name not in only: continue
        body, cfg = audioset_body(name, pretrained=False)
        yield name, nn.Sequential(body, create_head(body.n_features, 11, pool=False)), Pipeline(cfg.batch_tfms()), cfg.sample_rate

def step(model, tfms, x, micro, device):
    "Seconds for front-end, forward and backward of `x` in micro-batches"
    sync(device); t = time.perf_counter()
    for i in range(0, len(x), micro):
        out = model(tfms(x[i:i+micro]))
        out.float().logsumexp(1).mean().backward()
    sync(device)
    return time.perf_counter() - t

def main():
    a = get_args()
    only = a.only.split(',') if a.only else None
    head = f"## AudioSet backbones: training step and parameters ({datetime.datetime.now():%Y-%m-%d %H:%M})\n\n{machine(a.device)}\n\n"
    rows, ref = [], None
    for name, model, tfms, sr in models(only):
        model = model.to(a.device).train()
        x = clips(a.bs, sr).to(a.device)
        load0 = os.getloadavg()[0]
        step(model, tfms, x[:2], 2, a.device)                 # warm-up
        s = min(step(model, tfms, x, a.micro, a.device) for _ in range(a.repeats))
        model.zero_grad(set_to_none=True)
        n = sum(p.numel() for p in model.parameters())
        rows.append((name, sr, n, s, load0, os.getloadavg()[0]))
        if name=='resnet18': ref = s
        print(f"{name}: {s:.1f} s per step of {a.bs} clips, {n/1e6:.1f} M parameters (load {load0:.1f} -> {os.getloadavg()[0]:.1f})", flush=True)
        del model, x
    table = (f"| backbone | rate | parameters (body + head) | s per step ({a.bs} clips of 4 s) | clips/s | x resnet18 | load before, after |\n"
             "|---|---:|---:|---:|---:|---:|---|\n")
    for name, sr, n, s, l0, l1 in rows:
        table += f"| {name} | {sr} | {n/1e6:.1f} M | {s:.1f} | {a.bs/s:.1f} | {s/ref:.1f} |" if ref else f"| {name} | {sr} | {n/1e6:.1f} M | {s:.1f} | {a.bs/s:.1f} | |"
        table += f" {l0:.1f}, {l1:.1f} |\n"
    txt = head + f"Front-end, forward and backward, everything trainable, micro-batches of {a.micro}, best of {a.repeats}; random weights.\n\n" + table + "\n"
    print(txt)
    if a.append: append_section(a.append, txt)

if __name__=='__main__': main()
