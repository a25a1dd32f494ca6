"""Exploratory (issue 16, 2026-12-07): pretrain the audio_cnn body as `make pretrain` does (GM program + pitch, 'compact', one-cycle at 3e-3,
bfloat16, SpecAugment masks, seed 42), but on K augmented copies of each corpus note: copy k through the demo's training augmentations,
`LoopSustain(p=0.75, seed=100+k)` then `LowPass(1500, 7000, p=0.5, seed=200+k)`, before its spectrogram. The held-out 5% are drawn among
all the copies (a monitor only: other copies of a held-out note are in training).

    python pretrain_aug.py --corpus DATA/nsynth_gm_pretrain --k 4 --epochs 8 --out aug4-8.pth --mels mels4.pt
    python pretrain_aug.py --corpus DATA/nsynth_gm_pretrain --k 4 --epochs 8 --threads 1 --fonts FluidR3_GM --out aug4-8-fluid.pth --mels mels4.pt   # for --split loso
    python bench/accuracy.py --recipes audio_pre --audio-weights aug4-8.pth --seeds 0 1 2 --split timgm --epochs 16 --size large --data DIR --threads 1
"""
import sys, time, torch, pandas as pd, argparse
from pathlib import Path
from fasttransform.transform import Pipeline
from fastai_audio_nb.pretrain import corpus_mels, pretrain_learner, _corpus_labels
from fastai_audio_nb.spectrogram import SpectrogramConfig
from fastai_audio_nb.models import audio_cnn, save_audio_body
from fastai_audio_nb.learner import BF16Training
from fastai_audio_nb.acoustics import LoopSustain
from fastai_audio_nb.augment import LowPass
from fastai_audio_nb.core import load_audio, AudioTensor
from fastai_audio_nb.data import crop_pad
from fastai_audio_nb.datasets import nsynth_samples, nsynth_sr
p = argparse.ArgumentParser()
p.add_argument('--k', type=int, default=4); p.add_argument('--epochs', type=int, default=8)
p.add_argument('--threads', type=int, default=2); p.add_argument('--fonts', nargs='*', default=None)
p.add_argument('--out', required=True); p.add_argument('--corpus', required=True, help="the rendered pretraining corpus (make pretrain's DATA/nsynth_gm_pretrain)"); p.add_argument('--mels', default=None)
a = p.parse_args()
torch.set_num_threads(a.threads)
path = Path(a.corpus); cfg = SpectrogramConfig.from_preset('compact')
t0 = time.time()
if a.mels and Path(a.mels).exists(): data = torch.load(a.mels, weights_only=True)
else:
    items = _corpus_labels(path)
    n = int(round(nsynth_samples*cfg.sample_rate/nsynth_sr))
    spec = Pipeline(cfg.batch_tfms())
    augs = [Pipeline([LoopSustain(p=0.75, seed=100+k), LowPass(1500., 7000., p=0.5, seed=200+k)], split_idx=0) for k in range(a.k)]
    mels = [[] for _ in range(a.k)]
    with torch.no_grad():
        for i in range(0, len(items), 64):
            x = AudioTensor(torch.stack([crop_pad(load_audio(f, sr=cfg.sample_rate), n) for f in items.fname[i:i+64]]), sr=cfg.sample_rate)
            for k in range(a.k): mels[k].append(spec(augs[k](x)).as_subclass(torch.Tensor).half())
            if i % 1280 == 0: print(i, round(time.time()-t0), flush=True)
    rep = lambda v: torch.cat([torch.as_tensor(v)]*a.k)
    data = dict(mels=torch.cat([torch.cat(m) for m in mels]), program=rep(items.program.values), pitch=rep(items.pitch.values),
                note_str=items.note_str.tolist()*a.k, soundfont=items.instrument.map(pd.read_csv(path/'nsynth-train'/'instruments.csv').set_index('instrument').soundfont).tolist()*a.k,
                )
    from dataclasses import asdict; data['spectrogram'] = asdict(cfg)
    if a.mels: torch.save(data, a.mels)
print('mels', data['mels'].shape, round(time.time()-t0), flush=True)
if a.fonts:
    keep = torch.tensor([s in a.fonts for s in data['soundfont']])
    data = {k:(v[keep] if torch.is_tensor(v) else ([o for o,m in zip(v, keep) if m] if isinstance(v, list) else v)) for k,v in data.items()}
    print('notes', int(keep.sum()), flush=True)
learn = pretrain_learner(data, audio_cnn, bs=64, seed=42)
t1 = time.time()
learn.fit_one_cycle(a.epochs, 3e-3, cbs=[BF16Training()])
print('train s', round(time.time()-t1), flush=True)
meta = dict(arch='audio_cnn', n_in=1, spectrogram=data['spectrogram'], corpus=str(path), soundfonts=a.fonts, notes=len(data['mels']), epochs=a.epochs, lr=3e-3, seed=42,
            task='supervised: GM program (128 classes) + MIDI pitch (128 classes)', stats=list(learn.dls.stats), augmented_copies=a.k)
save_audio_body(learn.model[0], a.out, meta)
print('done', round(time.time()-t0), flush=True)
