"""Benchmark: training epochs with the clips read from the files at each batch (fastai's loader processes) against
decoded once into memory (`cache=True`), side by side in one run, on the demo's notes as they are (16 kHz) and on the
same notes stored at 44.1 kHz (each clip resampled at every load, as most recordings a user brings would be).

A subset of the demo's training notes (`--n`, 16-bit WAV), the demo's recipe (`demo_recipe`: `LoopSustain`, `LowPass`,
the 'compact' spectrogram, audio_cnn, bfloat16 steps where the CPU has them, else float32); each round fits one epoch with
each loader in turn (`Learner.fit(1)`, wall clock), `--rounds` rounds; the table gives the median seconds a batch.
Usage: python bench/cache.py [--data FOLDER] [--n 1280] [--rounds 3] [--threads 2] [--append bench/RESULTS.md]
"""
import argparse, statistics, sys, time, shutil, tempfile
from pathlib import Path
import numpy as np, soundfile as sf, torch
sys.path.insert(0, str(Path(__file__).parent))
from benchutil import machine, append_section
from fastai_audio_nb.core import load_audio
from fastai_audio_nb.data import AudioDataLoaders, nsynth_label_re
from fastai_audio_nb.learner import audio_learner, BF16Training
from fastai_audio_nb.models import get_arch
from fastai_audio_nb.training import demo_recipe, recipe_tfms, recipe_bs, recipe_loss

def copy_at(files, dest:Path, sr:int)->list:
    "16-bit WAV copies of `files` at `sr` Hz under `dest`"
    out = []
    for f in files:
        o = dest/f.name
        if not o.exists(): sf.write(o, load_audio(f, sr=sr)[0].numpy(), sr, subtype='PCM_16')
        out.append(o)
    return out

def learner(files, cache:bool, bf16:bool):
    r = demo_recipe
    dls = AudioDataLoaders.from_name_re(files[0].parent, files, nsynth_label_re, valid_pct=0.05, seed=0, bs=recipe_bs(r), batch_tfms=recipe_tfms(r), cache=cache)
    learn = audio_learner(dls, get_arch(r['arch']), spec=r['spec'], pretrained=False, cbs=[BF16Training()] if bf16 else None)
    learn.loss_func = recipe_loss(r, learn.loss_func)
    learn.model.to(memory_format=torch.channels_last)
    return learn

def epoch_batch_s(learn)->float:
    "Seconds a training batch over one epoch of `learn`, as `fit` runs it (the validation left out)"
    t0 = time.perf_counter()
    with learn.no_bar(), learn.no_logging(): learn.fit(1, 1e-3)
    total = time.perf_counter()-t0
    t1 = time.perf_counter()
    with learn.no_bar(): learn.validate()
    return (total - (time.perf_counter()-t1))/len(learn.dls.train)

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--data', default=None, help="a rendered set (default: get_nsynth_gm('large'), the demo's)")
    p.add_argument('--n', type=int, default=1280)
    p.add_argument('--rounds', type=int, default=3)
    p.add_argument('--threads', type=int, default=None)
    p.add_argument('--append', default=None)
    a = p.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    from fastai_audio_nb.datasets import get_nsynth_gm
    path = Path(a.data) if a.data else get_nsynth_gm('large')
    files = sorted((path/'nsynth-train'/'audio').glob('*.wav'))
    files = [files[i] for i in np.random.default_rng(0).permutation(len(files))[:a.n]]
    tmp = Path(tempfile.mkdtemp())
    t0 = time.perf_counter(); f44 = copy_at(files, tmp, 44100); t_copy = time.perf_counter()-t0
    desc = machine('cpu')
    cpu = Path('/proc/cpuinfo').read_text() if Path('/proc/cpuinfo').exists() else ''
    bf16 = 'avx512_bf16' in cpu or 'amx_bf16' in cpu   # bfloat16 steps as the demo takes them (emulated, and slow, elsewhere)
    rows = ["| files | loader | s a training batch, per round | median | against the files |", "|---|---|---|---:|---:|"]
    for name, fs in (('16 kHz (the demo\'s)', files), ('44.1 kHz copies', f44)):
        ls = {k: learner(fs, k=='cache', bf16) for k in ('files', 'cache')}
        ts = {k: [] for k in ls}
        for _ in range(a.rounds):
            for k, l in ls.items(): ts[k].append(epoch_batch_s(l))
        base = statistics.median(ts['files'])
        for k, v in ts.items(): rows.append(f"| {name} | {k} | {', '.join(f'{t:.3f}' for t in v)} | {statistics.median(v):.3f} | {base/statistics.median(v):.2f}x |")
    shutil.rmtree(tmp)
    txt = '\n'.join(rows)
    print(desc); print(txt)
    if a.append: append_section(a.append, f"\n## Clips in memory against files read at each batch (bench/cache.py), {time.strftime('%Y-%m-%d %H:%M')}\n\n"
                                f"{desc}; {a.n} training notes of {path.name} (the 44.1 kHz copies written in {t_copy:.0f} s), `demo_recipe`, "
                                f"{'bfloat16' if bf16 else 'float32'} steps, batches of 64; `files`: fastai's loader processes, `cache`: `cache=True`; {a.rounds} rounds of one epoch each.\n\n{txt}\n")

if __name__=='__main__': main()
