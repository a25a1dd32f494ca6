"""Benchmark: a training batch of the demo as `fit` runs it (loading, batch transforms, bfloat16 step), with the data
pipeline as it was and as it is, side by side in one run.

Three loaders of the same set and recipe (`demo_recipe`), each timed by `train_batch_seconds` (the median of `--n`
batches after two), in turn, `--rounds` times:
- `before`: the files read and resampled at each batch by fastai's default loader processes (2 on a 2-core CPU), and
  `LowPass`'s FFT at the length `fft_filter` used until 2026-12-06 (clip + padding: 64,043 samples for the demo's
  lowest cutoff of 1.5 kHz, a length with a prime factor of 1,307, which pocketfft computes several times slower);
- `fast FFT`: the same, `fft_filter` at `scipy.fft.next_fast_len` of that length (64,800);
- `cache`: and the clips decoded once into memory (`folder_dls(cache=True)`, int16), the batches made in this process.
Also timed alone, on one batch: `LowPass(p=1)` at both FFT lengths, and the step by itself.
Usage: python bench/demo_batch.py [--data FOLDER] [--threads 2] [--rounds 3] [--n 8] [--append bench/RESULTS.md]
"""
import argparse, math, statistics, sys, time
from pathlib import Path
import torch
sys.path.insert(0, str(Path(__file__).parent))
from benchutil import machine, append_section
from fastcore.basics import ifnone
import fastai_audio_nb.augment as augment
from fastai_audio_nb.augment import LowPass
from fastai_audio_nb.data import folder_dls
from fastai_audio_nb.learner import audio_learner
from fastai_audio_nb.models import get_arch
from fastai_audio_nb.training import demo_recipe, recipe_tfms, recipe_bs, recipe_loss, train_batch_seconds, step_seconds

fast_filter = augment.fft_filter
def padded_filter(x, sr, cutoff, order=2, btype='low', pad=None):
    "`fft_filter` as it was until 2026-12-06: the FFT at the clip's length plus the padding, whatever its factors"
    L = x.shape[-1]
    fc = torch.as_tensor(cutoff, dtype=torch.float32, device=x.device).reshape(-1, 1, 1)
    N = L + min(L, ifnone(pad, int(math.ceil(4*sr/float(fc.min())))))
    f = torch.fft.rfftfreq(N, 1/sr, device=x.device)
    r = (f/fc).pow(2*order) if btype=='low' else (fc/f.clamp_min(1e-3)).pow(2*order)
    return torch.fft.irfft(torch.fft.rfft(x.float(), n=N)*(1+r).rsqrt(), n=N)[..., :L].to(x.dtype)

def learner(path, cache):
    r = demo_recipe
    dls = folder_dls(path, bs=recipe_bs(r), batch_tfms=recipe_tfms(r), cache=cache)   # 64 spectrograms a step, as the demo
    learn = audio_learner(dls, get_arch(r['arch']), spec=r['spec'], pretrained=False)
    learn.loss_func = recipe_loss(r, learn.loss_func)
    learn.model.to(memory_format=torch.channels_last)
    return learn

def best(f, repeats=5):
    f(); ts = []
    for _ in range(repeats):
        t0 = time.perf_counter(); f(); ts.append(time.perf_counter()-t0)
    return min(ts)

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--data', default=None, help="a rendered set (default: get_nsynth_gm('large'), the demo's, rendered if missing)")
    p.add_argument('--threads', type=int, default=None)
    p.add_argument('--rounds', type=int, default=3)
    p.add_argument('--n', type=int, default=8)
    p.add_argument('--append', default=None)
    a = p.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    from fastai_audio_nb.datasets import get_nsynth_gm
    path = Path(a.data) if a.data else get_nsynth_gm('large')
    desc = machine('cpu')
    t0 = time.perf_counter(); files_l = learner(path, False); t_files = time.perf_counter()-t0
    t0 = time.perf_counter(); cache_l = learner(path, True); t_cache = time.perf_counter()-t0
    runs = {'before': (files_l, padded_filter), 'fast FFT': (files_l, fast_filter), 'cache': (cache_l, fast_filter)}
    ts = {k: [] for k in runs}
    for _ in range(a.rounds):
        for k,(learn, filt) in runs.items():
            augment.fft_filter = filt
            ts[k].append(train_batch_seconds(learn, n=a.n, bf16=True))
    augment.fft_filter = fast_filter
    xb, yb = cache_l.dls.one_batch()
    raw = cache_l.dls.train.new(after_batch=cache_l.dls.train.after_batch.fs[:2]).one_batch()[0]   # IntToFloat and LoopSustain: what LowPass gets
    lp = LowPass(1500., 7000., p=1., seed=0)
    t_lp = {}
    for name, filt in (('before', padded_filter), ('fast FFT', fast_filter)):
        augment.fft_filter = filt; t_lp[name] = best(lambda: lp(raw, split_idx=0))
    augment.fft_filter = fast_filter
    step = step_seconds(cache_l, xb, yb, n=5, bf16=True)
    base = statistics.median(ts['before'])
    rows = ["| loader | training batch as `fit` runs it, s (median of each round) | median | against `before` |", "|---|---|---:|---:|"]
    rows += [f"| {k} | {', '.join(f'{t:.3f}' for t in v)} | {statistics.median(v):.3f} | {base/statistics.median(v):.2f}x |" for k,v in ts.items()]
    n, nbytes = [f for f in cache_l.dls.train_ds.tls[0].tfms.fs if type(f).__name__=='LoadAudio'][0].cache_info()
    txt = '\n'.join(rows) + (f"\n\nAlone, one batch of 64 (best of 5): `LowPass(p=1)` {t_lp['before']:.3f} s at the old FFT length, {t_lp['fast FFT']:.3f} s at the fast one "
                             f"({t_lp['before']/t_lp['fast FFT']:.1f}x); the bfloat16 step {step:.3f} s. Building the loaders: {t_files:.1f} s from the files, "
                             f"{t_cache:.1f} s with the cache ({n} clips, {nbytes/2**30:.2f} GB).")
    print(desc); print(txt)
    if a.append: append_section(a.append, f"\n## The demo's training batch: FFT length and clips in memory (bench/demo_batch.py), {time.strftime('%Y-%m-%d %H:%M')}\n\n"
                                f"{desc}; {path.name}, `demo_recipe`, batches of 64, {a.rounds} rounds of the three loaders in turn, {a.n} batches each.\n\n{txt}\n")

if __name__=='__main__': main()
