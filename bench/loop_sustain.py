"""Benchmark: `LoopSustain` (the demo's augmentation, on 3 training notes in 4 and on every validation note) against
its first formulation, side by side on the same batch.

The first formulation (until 2026-12-06, kept here as `reference_loop`) built the looped note by two gathers over every
sample of every note and followed the original's loudness by two moving RMS at every sample (cumulative sums in float64).
The library's now builds one pass of each loop, repeats it with one gather, and computes the loudness per block of
4 ms, interpolated (`_envelope_gains`). Both draw the same attacks and loops (the same seed); the table gives the
best of `--repeats` timings, the ratio, and how far apart the two outputs are (RMS of the difference over the note's
RMS) and how closely each follows the original's loudness (moving RMS over 20 ms, in dB).
Usage: python bench/loop_sustain.py [--data FOLDER] [--bs 64] [--threads 2] [--append bench/RESULTS.md]
"""
import argparse, sys, time
from pathlib import Path
import torch, soundfile as sf
sys.path.insert(0, str(Path(__file__).parent))
from benchutil import machine, append_section
from fastai_audio_nb.core import AudioTensor
from fastai_audio_nb.acoustics import LoopSustain, _moving_rms

def reference_loop(ls, x, sr):
    "`LoopSustain` as first written: per-sample gathers and envelopes, with the attacks and loops `ls` drew last"
    a, n, do = ls.last_params['attack'], ls.last_params['loop'], ls.last_params['do']
    bs, ch, L = x.shape
    i = torch.where(do)[0]
    t = torch.arange(L)
    ai, ni = a[i,None], n[i,None]
    ph = (t - ai) % ni
    src = torch.where(t>=ai, ai + ph, t).clamp_max(L-1)
    xi = x[i].float()
    y = xi.gather(-1, src[:,None].expand(-1, ch, -1))
    cf = (ni//2).clamp_max(int(0.01*sr)).clamp_max(ai)
    w = ((ph - (ni - cf) + 1).float()/(cf+1).float()).clamp(0, 1) * (t>=ai)
    prev = xi.gather(-1, (ai - cf + (ph - (ni - cf))).clamp(0, L-1)[:,None].expand(-1, ch, -1))
    y = y*(1-w[:,None]) + prev*w[:,None]
    m = max(1, int(ls.win*sr))
    g = (_moving_rms(xi, m)/_moving_rms(y, m).clamp_min(1e-6)).clamp_max(10.)
    g = torch.where((t>=ai)[:,None], g, torch.ones_like(g))
    out = x.clone(); out[i] = (y*g).to(x.dtype)
    return out

def best(f, repeats):
    "The best of `repeats` timings of `f()`, after a warm-up"
    f(); ts = []
    for _ in range(repeats):
        t0 = time.perf_counter(); f(); ts.append(time.perf_counter()-t0)
    return min(ts)

def env_db(y, x):
    "Median and 99th percentile of |loudness of y - loudness of x| (dB, moving RMS over 20 ms at 16 kHz) where x is not silent"
    ey, ex = _moving_rms(y[:,0], 320), _moving_rms(x[:,0], 320)
    ok = ex > 1e-3*ex.amax(-1, keepdim=True)
    d = (20*torch.log10(ey.clamp_min(1e-9)/ex.clamp_min(1e-9)))[ok].abs()
    return d.median().item(), d.quantile(0.99).item()

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--data', default=None, help="a rendered set (default: get_nsynth_gm('mini'))")
    p.add_argument('--bs', type=int, default=64)
    p.add_argument('--threads', type=int, default=None)
    p.add_argument('--repeats', type=int, default=5)
    p.add_argument('--append', default=None)
    a = p.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    from fastai_audio_nb.datasets import get_nsynth_gm
    path = Path(a.data) if a.data else get_nsynth_gm('mini')
    fns = sorted(path.rglob('*.wav')); fns = fns[::max(1, len(fns)//a.bs)][:a.bs]
    sr = 16000
    x = AudioTensor(torch.stack([torch.from_numpy(sf.read(f, dtype='float32', frames=4*sr, fill_value=0.)[0]) for f in fns])[:,None], sr=sr)
    desc = machine('cpu')
    rows = ["| split | notes | library (s) | first formulation (s) | ratio | output difference (median, max) | loudness against the original, dB (median, p99): library; first |",
            "|---|---|---|---|---|---|---|"]
    for split, name in ((0, 'training (p=1)'), (1, 'validation (infer)')):
        ls = LoopSustain(p=1., seed=0, infer=True)
        new = lambda: ls(x, split_idx=split)
        y = new(); ref = reference_loop(ls, x, sr)
        t_new = best(new, a.repeats); t_ref = best(lambda: reference_loop(ls, x, sr), a.repeats)
        d = (y-ref).pow(2).mean((1,2)).sqrt()/ref.pow(2).mean((1,2)).sqrt().clamp_min(1e-9)
        (m1, q1), (m2, q2) = env_db(y, x), env_db(ref, x)
        rows.append(f"| {name} | {len(fns)} | {t_new:.3f} | {t_ref:.3f} | {t_ref/t_new:.1f}x | {d.median().item():.3f}, {d.max().item():.3f} | {m1:.2f}, {q1:.2f}; {m2:.2f}, {q2:.2f} |")
    txt = '\n'.join(rows)
    print(desc); print(txt)
    if a.append: append_section(a.append, f"\n## LoopSustain's cost, the library's against its first formulation (bench/loop_sustain.py), {time.strftime('%Y-%m-%d')}\n\n"
                                f"{desc}; a batch of {len(fns)} rendered notes of 4 s at 16 kHz ({path.name}), the best of {a.repeats}.\n\n{txt}\n")

if __name__=='__main__': main()
