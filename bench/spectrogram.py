"""Benchmark: the study's log-mel spectrograms, three ways, on the same clips in one run.

- ours: `spectrogram_tfms(SpectrogramConfig.study())` (MelSpectrogram + AmplitudeToDB with per-item ref=max)
  on batches of `--bs` clips, on `--device`;
- torchaudio alone: `torchaudio.transforms.MelSpectrogram` + `AmplitudeToDB` (top_db, ref=1) on the same batches;
- librosa, one clip at a time on the CPU (the study's path): `melspectrogram` + `power_to_db(ref=np.max)`.

On `--device cuda` the clips are moved to the GPU first, as the DataLoader does before the batch transforms.
Prints clips/s and the ratios; `--append bench/RESULTS.md` adds the figures and a description of the machine.
The clips are rendered NSynth-like notes (`fastai_audio_nb.datasets.get_nsynth_gm('mini')`) when that
works, else synthetic harmonic notes (`--synthetic` forces them). Timings are the best of `--repeats`
passes over all clips, the three methods taking turns, so that a busy machine slows them alike.
Usage: python bench/spectrogram.py [--device cuda] [--bs 64] [--n-clips 256] [--threads 2] [--append bench/RESULTS.md]
"""
import argparse, math, os, platform, sys, time, datetime
from pathlib import Path
import numpy as np, torch
from benchutil import machine, sync, append_section

def get_args():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--device', default='cpu', help="'cpu' or 'cuda' (librosa always runs on the CPU)")
    p.add_argument('--bs', type=int, default=64, help='clips per batch for ours and torchaudio')
    p.add_argument('--n-clips', type=int, default=256, help='clips timed per pass')
    p.add_argument('--threads', type=int, default=None, help='torch CPU threads (default: torch\'s, the cores)')
    p.add_argument('--repeats', type=int, default=5, help='passes per method; the best is reported')
    p.add_argument('--librosa-clips', type=int, default=None, help='clips per librosa pass (default: all)')
    p.add_argument('--synthetic', action='store_true', help='use synthetic notes even if rendered notes can be had')
    p.add_argument('--data', default=None, help='folder of the rendered mini set (default: get_nsynth_gm\'s)')
    p.add_argument('--append', default=None, help='append the results to this markdown file')
    return p.parse_args()

def synthetic_clips(n, sr=16000, dur=4., seed=0):
    "Harmonic notes, 3 s held then 1 s released like NSynth, random pitch, level and timbre"
    rng = np.random.default_rng(seed)
    t = np.arange(int(sr*dur))/sr
    out = []
    for i in range(n):
        f0 = 440*2**((rng.integers(21, 100)-69)/12)
        amps = rng.uniform(0, 1, 12)/np.arange(1, 13)
        x = sum(a*np.sin(2*np.pi*f0*k*t + rng.uniform(0, 6.3)) for k,a in zip(range(1, 13), amps) if f0*k < sr/2)
        held = np.minimum(1, t*100)*np.exp(-t*rng.uniform(0.2, 2))
        env = np.where(t<3, held, held[int(3*sr)-1]*np.exp(-(t-3)*8))
        x = x*env + 1e-3*rng.standard_normal(len(t))
        out.append((rng.uniform(0.05, 0.9)*x/np.abs(x).max()).astype(np.float32))
    return np.stack(out), 'synthetic harmonic notes (4 s, 16 kHz)'

def rendered_clips(n, data=None):
    "The first `n` notes of the rendered mini set (4 s, 16 kHz), repeated if it has fewer"
    from fastai_audio_nb.datasets import get_nsynth_gm
    from fastai_audio_nb.core import load_audio, get_audio_files
    path = get_nsynth_gm('mini', dest=data) if data else get_nsynth_gm('mini')
    files = sorted(get_audio_files(path))
    if not files: raise FileNotFoundError(f'no audio files under {path}')
    clips = [load_audio(f, sr=16000)[0].numpy() for f in files[:n]]
    m = min(len(c) for c in clips)
    clips = np.stack([c[:m] for c in clips])
    reps = math.ceil(n/len(clips))
    return np.concatenate([clips]*reps)[:n], f'rendered NSynth-like notes, mini set ({len(files)} files, {m/16000:g} s, 16 kHz)'

def get_clips(a):
    if not a.synthetic:
        try: return rendered_clips(a.n_clips, a.data)
        except Exception as e: print(f'rendered notes not available ({type(e).__name__}: {e}); using synthetic notes')
    return synthetic_clips(a.n_clips)

def main():
    a = get_args()
    if a.threads: torch.set_num_threads(a.threads)
    if a.device.startswith('cuda') and not torch.cuda.is_available(): sys.exit('--device cuda: no GPU here')
    import librosa, torchaudio
    from fasttransform.transform import Pipeline
    from fastai_audio_nb.core import AudioTensor
    from fastai_audio_nb.spectrogram import SpectrogramConfig, spectrogram_tfms
    cfg = SpectrogramConfig.study()
    clips, source = get_clips(a)
    desc = machine(a.device)
    n, dev = len(clips), a.device
    batches = [AudioTensor(torch.from_numpy(clips[i:i+a.bs])[:, None].to(dev), sr=cfg.sample_rate) for i in range(0, n, a.bs)]
    plain = [b.as_subclass(torch.Tensor) for b in batches]
    ours = Pipeline(spectrogram_tfms(cfg))
    ta_mel = torchaudio.transforms.MelSpectrogram(cfg.sample_rate, cfg.n_fft, hop_length=cfg.hop_length, f_min=cfg.f_min,
                 f_max=cfg.f_max, n_mels=cfg.n_mels, pad_mode=cfg.pad_mode, norm='slaney', mel_scale='slaney').to(dev)
    ta_db = torchaudio.transforms.AmplitudeToDB('power', top_db=cfg.top_db).to(dev)
    n_lib = min(n, a.librosa_clips or n)

    def run_ours():
        for b in batches: ours(b)
    def run_ta():
        for b in plain: ta_db(ta_mel(b))
    def run_librosa():
        for y in clips[:n_lib]:
            S = librosa.feature.melspectrogram(y=y, sr=cfg.sample_rate, n_fft=cfg.n_fft, hop_length=cfg.hop_length,
                    n_mels=cfg.n_mels, fmin=cfg.f_min, fmax=cfg.f_max, pad_mode=cfg.pad_mode)
            librosa.power_to_db(S, ref=np.max, top_db=cfg.top_db)
    runs = {'ours (batched)': (run_ours, n), 'torchaudio alone': (run_ta, n), 'librosa, one clip at a time': (run_librosa, n_lib)}
    with torch.inference_mode():
        # the same values: ours against librosa on the first clip
        y = clips[0]
        ref = librosa.power_to_db(librosa.feature.melspectrogram(y=y, sr=cfg.sample_rate, n_fft=cfg.n_fft, hop_length=cfg.hop_length,
                n_mels=cfg.n_mels, fmin=cfg.f_min, fmax=cfg.f_max, pad_mode=cfg.pad_mode), ref=np.max, top_db=cfg.top_db)
        err = float(np.abs(ours(batches[0])[0, 0].cpu().numpy() - ref).max())
        best = {k: math.inf for k in runs}
        for f,_ in runs.values(): f(); sync(dev)                  # warm up (caches, kernels, librosa's filterbank)
        for r in range(a.repeats):
            for k,(f,_) in runs.items():
                sync(dev); t0 = time.perf_counter(); f(); sync(dev)
                best[k] = min(best[k], time.perf_counter()-t0)
    rate = {k: runs[k][1]/best[k] for k in runs}
    lib = rate['librosa, one clip at a time']
    lines = [f'| method | device | clips/s | x librosa |', '|---|---|---:|---:|']
    for k,v in rate.items():
        d = 'cpu' if k.startswith('librosa') else dev
        lines.append(f'| {k} | {d} | {v:,.0f} | {v/lib:.1f} |')
    summary = (f'ours / torchaudio alone: {rate["ours (batched)"]/rate["torchaudio alone"]:.2f}; '
               f'ours / librosa: {rate["ours (batched)"]/lib:.1f}; max |ours - librosa| on clip 0: {err:.4f} dB')
    print(f'machine: {desc}\nclips: {n} x {clips.shape[1]/cfg.sample_rate:g} s, {source}; bs={a.bs}; best of {a.repeats}\n')
    print('\n'.join(lines)); print('\n' + summary)
    if a.append:
        when = datetime.datetime.now().strftime('%Y-%m-%d %H:%M')
        cmd = 'python bench/spectrogram.py ' + ' '.join(sys.argv[1:])
        txt = (f'\n## {when}, {dev}\n\nMachine: {desc}.\nClips: {n} x {clips.shape[1]/cfg.sample_rate:g} s, {source}; '
               f'batch size {a.bs}; best of {a.repeats} passes; command `{cmd}`.\n\n' + '\n'.join(lines) + f'\n\n{summary}.\n')
        append_section(a.append, txt)

if __name__ == '__main__': main()
