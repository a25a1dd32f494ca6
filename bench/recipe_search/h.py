"Experiment harness for issue 16: in-memory clips, log-mel features, compact CNNs, fast training."
import time, json, math, os, sys
from pathlib import Path
import numpy as np, pandas as pd, torch, soundfile as sf
from torch import nn
import torch.nn.functional as F
from fastai_audio_nb.datasets import nsynth_items, nsynth_families
from fastai_audio_nb.spectrogram import MelSpectrogram
from fastai_audio_nb.core import AudioTensor

FAM = list(nsynth_families)
def load_items(df):
    X = np.stack([sf.read(f, dtype='float32')[0] for f in df.fname])
    y = np.array([FAM.index(f) for f in df.instrument_family_str])
    return torch.from_numpy(X), torch.from_numpy(y)

def cache(name, fn):
    p = Path('cache')/f'{name}.pt'
    if p.exists(): return torch.load(p)
    r = fn(); p.parent.mkdir(exist_ok=True); torch.save(r, p); return r

def load_set(path, split):
    return cache(f"{Path(path).name}_{split}", lambda: load_items(nsynth_items(path, split)))

def mel_power(X, n_mels=128, n_fft=1024, hop=256, f_min=20., f_max=8000., bs=256):
    "power mel spectrograms (N, n_mels, T) float32"
    m = MelSpectrogram(n_fft=n_fft, hop_length=hop, n_mels=n_mels, f_min=f_min, f_max=f_max, sample_rate=16000, power=2.)
    out = []
    with torch.no_grad():
        for i in range(0, len(X), bs): out.append(torch.as_tensor(m(AudioTensor(X[i:i+bs][:,None]))).squeeze(1).float().as_subclass(torch.Tensor).clone())
    return torch.cat(out)

def todb(S, amin=1e-10): return 10*torch.log10(S.clamp_min(amin))

def accuracy_of(model, Xv, yv, bs=256):
    model.eval(); preds=[]
    with torch.no_grad():
        for i in range(0, len(Xv), bs): preds.append(model(Xv[i:i+bs]))
    p = torch.cat(preds); return (p.argmax(1)==yv).float().mean().item(), p

def log_fbanks(n_freqs, f_min, f_max, n_bins, sr):
    "triangular filters with centres log-spaced from f_min to f_max; each at least 1.5 FFT bins wide"
    fft_f = torch.linspace(0, sr/2, n_freqs)
    c = torch.logspace(math.log10(f_min), math.log10(f_max), n_bins+2)
    df = sr/2/(n_freqs-1)
    lo, ce, hi = c[:-2], c[1:-1], c[2:]
    lo = torch.minimum(lo, ce-1.5*df); hi = torch.maximum(hi, ce+1.5*df)
    up = (fft_f[:,None]-lo)/(ce-lo); down = (hi-fft_f[:,None])/(hi-ce)
    fb = torch.clamp(torch.minimum(up, down), min=0)
    return fb/fb.sum(0, keepdim=True)

def logf_power(X, n_bins=96, n_fft=2048, hop=512, f_min=50., f_max=8000., bs=256):
    from fastai_audio_nb.spectrogram import Spectrogram
    s = Spectrogram(n_fft=n_fft, hop_length=hop, power=2.)
    fb = log_fbanks(n_fft//2+1, f_min, f_max, n_bins, 16000)
    out = []
    with torch.no_grad():
        for i in range(0, len(X), bs):
            S = torch.as_tensor(s(AudioTensor(X[i:i+bs][:,None]))).squeeze(1).float().as_subclass(torch.Tensor)
            out.append(torch.einsum('bft,fk->bkt', S, fb).clone())
    return torch.cat(out)
