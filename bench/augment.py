"""Benchmark: the cost of each augmentation of `fastai_audio_nb.augment` and `.acoustics` per batch, against one training step.

Each augmentation runs with `p=1` (every item changed: the most it can cost) on a batch of `--bs` clips of 4 s
at 16 kHz (the audio ones) or on their log-mel spectrograms (the SpecAugment masks), on `--device`. The
reference is one training step (forward, backward, AdamW step) of a resnet18 (fastai's `create_vision_model`,
1 input channel, no pretrained weights) on the study's mel spectrograms (`SpectrogramConfig.study()`:
40 bands, hop 256, dB) of the same batch. Timings are the best of `--repeats` runs after a warm-up.
The clips are rendered NSynth-like notes (`get_nsynth_gm('mini')`) when that works, else synthetic notes.
`Reverb` convolves with 64 simulated rooms (`room_irs(64)`: pyroomacoustics where installed, cached), `AddBackground`
mixes excerpts of 8 files of 10 s of coloured noise; the time `room_irs` takes to make 64 responses with each
simulator (in a fresh temporary folder) is printed too.
Prints a table; `--append bench/RESULTS.md` appends it under the heading "## Augmentation cost".
Usage: python bench/augment.py [--device cuda] [--bs 64] [--threads 2] [--append bench/RESULTS.md]
"""
import argparse, math, os, platform, sys, time, datetime, tempfile
import numpy as np, torch
import json
from pathlib import Path
from benchutil import machine, append_section

def get_args():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--device', default='cpu', help="'cpu' or 'cuda'")
    p.add_argument('--bs', type=int, default=64, help='clips per batch')
    p.add_argument('--threads', type=int, default=None, help="torch CPU threads (default: torch's, the cores)")
    p.add_argument('--repeats', type=int, default=5, help='timed runs per row; the best is reported')
    p.add_argument('--synthetic', action='store_true', help='use synthetic notes even if rendered notes can be had')
    p.add_argument('--append', default=None, help='append the results to this markdown file')
    return p.parse_args()

def synthetic_clips(n, sr=16000, dur=4., seed=0):
    "Harmonic notes held 3 s then released, random pitch and level"
    rng = np.random.default_rng(seed); t = np.arange(int(sr*dur))/sr
    out = []
    for _ in range(n):
        f0 = 440*2**((rng.integers(36, 90)-69)/12)
        x = sum(np.sin(2*np.pi*f0*k*t)/k for k in range(1, 9) if f0*k < sr/2)
        env = np.minimum(1, t*100)*np.where(t<3, 1., np.exp(-(t-3)*8))
        out.append((rng.uniform(0.1, 0.9)*x*env/np.abs(x).max()).astype(np.float32))
    return np.stack(out), 'synthetic harmonic notes (4 s, 16 kHz)'

def rendered_clips(n):
    "The first `n` notes of the rendered mini set, repeated if it has fewer"
    from fastai_audio_nb.datasets import get_nsynth_gm
    from fastai_audio_nb.core import load_audio, get_audio_files
    files = sorted(get_audio_files(get_nsynth_gm('mini', progress=False)))
    clips = np.stack([load_audio(f, sr=16000)[0].numpy()[:64000] for f in files[:n]])
    return np.concatenate([clips]*math.ceil(n/len(clips)))[:n], f'rendered NSynth-like notes, mini set ({len(files)} files)'

def best_time(f, repeats, device):
    "Best wall time of `f()` over `repeats` runs, after one warm-up run"
    sync = (lambda: torch.cuda.synchronize(device)) if device.startswith('cuda') else (lambda: None)
    f(); sync(); best = math.inf
    for _ in range(repeats):
        t0 = time.perf_counter(); f(); sync(); best = min(best, time.perf_counter()-t0)
    return best

def train_step_fn(spec, n_out, device):
    "One training step of a resnet18 on the spectrogram batch `spec`"
    from torchvision.models import resnet18
    from fastai.vision.learner import create_vision_model
    model = create_vision_model(resnet18, n_out, pretrained=False, n_in=spec.shape[1]).to(device).train()
    opt = torch.optim.AdamW(model.parameters(), 1e-3)
    x, y = spec.as_subclass(torch.Tensor), torch.randint(0, n_out, (spec.shape[0],), device=device)
    def step():
        loss = torch.nn.functional.cross_entropy(model(x), y)
        loss.backward(); opt.step(); opt.zero_grad()
    return step

def main():
    a = get_args()
    if a.threads: torch.set_num_threads(a.threads)
    if a.device.startswith('cuda') and not torch.cuda.is_available(): sys.exit('--device cuda: no GPU here')
    from fasttransform.transform import Pipeline
    from fastai_audio_nb.core import AudioTensor
    from fastai_audio_nb.spectrogram import SpectrogramConfig, spectrogram_tfms
    from fastai_audio_nb import augment as A
    clips, source = synthetic_clips(a.bs) if a.synthetic else (None, None)
    if clips is None:
        try: clips, source = rendered_clips(a.bs)
        except Exception as e:
            print(f'rendered notes not available ({type(e).__name__}: {e}); using synthetic notes')
            clips, source = synthetic_clips(a.bs)
    desc, dev = machine(a.device), a.device
    x = AudioTensor(torch.from_numpy(clips)[:, None].to(dev), sr=16000)
    spec_pipe = Pipeline(spectrogram_tfms(SpectrogramConfig.study()))
    spec = spec_pipe(x)
    step = train_step_fn(spec, 11, dev)
    t_step = best_time(step, a.repeats, dev)
    audio = [A.RandomCropPad(3.5, p=1.), A.TimeShift(p=1.), A.Gain(p=1.), A.PolarityInversion(p=1.),
             A.AddNoise(colors='white', p=1.), A.AddNoise(colors=('pink','brown'), p=1.), A.LowPass(p=1.), A.HighPass(p=1.),
             A.PitchShift(p=1.), A.TimeStretch(p=1.)]
    from fastai_audio_nb import acoustics as R
    from fastai_audio_nb.core import save_audio
    tmp = tempfile.mkdtemp()
    ir_times = {}
    for m in ('pyroomacoustics', 'numpy'):   # the cost of simulating 64 rooms, once (the sets are cached where used)
        try: t0 = time.perf_counter(); R.room_irs(64, method=m, path=f'{tmp}/irs_{m}'); ir_times[m] = time.perf_counter()-t0
        except ImportError as e: print(e)
    irs = R.room_irs(64)
    noises = f'{tmp}/noises'
    g = torch.Generator().manual_seed(0)
    for i in range(8): save_audio(f'{noises}/noise{i}.wav', 0.1*A.colored_noise((1, 1, 160000), i%3, g)[0], 16000)
    audio += [R.RandomEQ(p=1.), R.Reverb(irs, p=1.), R.AddBackground(noises, p=1.)]
    specs = [A.FreqMask(p=1.), A.TimeMask(p=1.)]
    rows = [('resnet18 training step (reference)', 'mel spectrograms', t_step),
            ('spectrogram (MelSpectrogram + AmplitudeToDB)', 'audio', best_time(lambda: spec_pipe(x), a.repeats, dev))]
    def name(t):
        extra = f" ({'+'.join(t.colors)})" if isinstance(t, A.AddNoise) else ''
        if isinstance(t, R.Reverb): extra = f" ({len(t.irs)} responses of up to {t.bank(16000, dev)[0].shape[-1]/16000:.2f} s, {json.loads((Path(irs)/'irs.json').read_text())['method']})"
        if isinstance(t, R.AddBackground): extra = f" ({len(t.noises)} sounds of 10 s)"
        return type(t).__name__ + extra
    with torch.no_grad():
        for t in audio: rows.append((name(t), 'audio', best_time(lambda: t(x, split_idx=0), a.repeats, dev)))
        for t in specs: rows.append((name(t), 'mel spectrograms', best_time(lambda: t(spec, split_idx=0), a.repeats, dev)))
        full = Pipeline([*A.audio_augment(p=1.), *spectrogram_tfms(SpectrogramConfig.study())], split_idx=0)
        rows.append(('audio_augment() defaults + spectrogram', 'audio', best_time(lambda: full(x), a.repeats, dev)))
        full = Pipeline([*A.audio_augment(p=1., eq_tilt=3., reverb=irs, background=noises), *spectrogram_tfms(SpectrogramConfig.study())], split_idx=0)
        rows.append(('audio_augment(eq_tilt=3, reverb=, background=) + spectrogram', 'audio', best_time(lambda: full(x), a.repeats, dev)))
    lines = ['| augmentation (p=1) | input | ms per batch | share of a training step |', '|---|---|---:|---:|']
    for k, inp, t in rows: lines.append(f'| {k} | {inp} | {t*1000:,.1f} | {t/t_step:.0%} |')
    head = f'{a.bs} clips x 4 s at 16 kHz ({source}); mel spectrograms {tuple(spec.shape)}; device {dev}; best of {a.repeats}'
    sims = '; '.join(f'{m} {t:.1f} s' for m,t in ir_times.items())
    sims = f'Simulating 64 room impulse responses at 16 kHz (`room_irs(64)`, rt60 0.1-1 s), once: {sims}.'
    print(f'machine: {desc}\n{head}\n'); print('\n'.join(lines)); print(sims)
    if a.append:
        when = datetime.datetime.now().strftime('%Y-%m-%d %H:%M')
        cmd = 'python bench/augment.py ' + ' '.join(sys.argv[1:])
        txt = (f'\n## Augmentation cost\n\n{when}, {dev}. Machine: {desc}.\nBatch: {head}; command `{cmd}`. '
               'Each augmentation changes every item (p=1), its most; the last row is the whole default pipeline '
               '(`audio_augment(p=1)`: shift, gain, polarity, noise, low-pass, then the spectrogram, then the masks). '
               'Other jobs on a shared machine move these figures (several-fold on a loaded 2-core CPU): compare rows of one section.\n\n' + '\n'.join(lines) + '\n\n' + sims + '\n')
        append_section(a.append, txt)

if __name__ == '__main__': main()
