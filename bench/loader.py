"""Benchmark: can the DataLoader feed the model? Clips/s delivered by the loader against clips/s a training step consumes.

Three measurements on the same rendered notes (the default set, `data/nsynth_gm_default`, else the mini set):

1. per clip, in the main process: where the loader's time goes (soundfile's read of 4 s as int16 and as float32,
   `load_audio`, the whole item `LoadAudio` + label, and the collation of a batch);
2. the loader alone: clips/s of `dls.train` (decode, crop/pad, collate, move to `--device`, made float; raw audio,
   no spectrogram) for each `--workers` count, with 16-bit files travelling as int16 (`AudioBlock(int16=True)`, the
   factories' choice for a GPU) and as float32 (`int16=False`, the default on a CPU), side by side;
   The training steps below use the factories' choice: int16 when the batches go to a GPU, float32 on a CPU;
3. the training step: the study's model (resnet18 on 40-band log-mel spectrograms, computed on `--device` by the
   batch transforms) forward + backward + optimiser step, first on one batch already on the device (what the model
   can consume), then fed by the loader from the files (for each `--workers`), and the ratio of the two step times.
   On a GPU, the issue's target is a ratio of at most 1.10.

Usage: python bench/loader.py [--device cuda] [--bs 64] [--workers 0,1,2] [--steps 5] [--append bench/RESULTS.md]
"""
import argparse, os, sys, time, datetime, platform, warnings, tempfile
from pathlib import Path
import numpy as np, torch
from contextlib import contextmanager
from benchutil import machine, sync, append_section

def get_args():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--device', default='cpu', help="'cpu' or 'cuda'")
    p.add_argument('--data', default=None, help='a folder in the NSynth layout (default: data/nsynth_gm_default if rendered, else the mini set)')
    p.add_argument('--bs', type=int, default=64, help='clips per batch')
    p.add_argument('--workers', default=None, help="comma separated loader process counts (default: 0,1,2 on 2 CPUs; 0,4,8,16 with more)")
    p.add_argument('--batches', type=int, default=20, help='batches timed per loader-only pass')
    p.add_argument('--steps', type=int, default=None, help='training steps timed per pass (default: 5 on the CPU, 50 on a GPU)')
    p.add_argument('--arch', default='resnet18', help='a torchvision model builder')
    p.add_argument('--pin-memory', default=None, choices=['yes','no'], help='page-locked batches (default: yes on a GPU)')
    p.add_argument('--threads', type=int, default=None, help='torch CPU threads of the main process')
    p.add_argument('--synthetic', action='store_true', help='write synthetic 16-bit notes to a temporary folder and use them')
    p.add_argument('--loader-only', action='store_true', help='skip the training steps')
    p.add_argument('--append', default=None, help='append the results to this markdown file')
    return p.parse_args()

def synthetic_nsynth(dest, n_train=2560, n_valid=256):
    "Write 4 s harmonic tones (16-bit WAV) in the NSynth layout: for machines without FluidSynth or the rendered set"
    import json, soundfile as sf
    from fastai_audio_nb.datasets import nsynth_families, nsynth_sources
    t = np.arange(64000)/16000
    env = np.where(t<3, 1., np.exp(-(t-3)*8))
    def tone(p):   # numpy, one thread: torch's intra-op threads crawl on a busy machine
        f0 = 440*2**((p-69)/12)
        x = sum(np.sin(2*np.pi*f0*k*t)/k for k in range(1, 8) if f0*k < 8000)
        return (0.8*x/np.abs(x).max()*env).astype(np.float32)
    tones = {p: tone(p) for p in range(36, 96)}
    for split,n,i0 in (('train', n_train, 0), ('valid', n_valid, n_train)):
        audio, ex = Path(dest)/f'nsynth-{split}'/'audio', {}
        audio.mkdir(parents=True, exist_ok=True)
        for i in range(i0, i0+n):
            fam, src, pitch, vel = nsynth_families[i%11], nsynth_sources[(i//11)%3], 36+(i*7)%60, (25,50,75,100,127)[i%5]
            ns = f'{fam}_{src}_{(i//33)%1000:03d}-{pitch:03d}-{vel:03d}'
            sf.write(audio/f'{ns}.wav', tones[pitch]*(vel/127), 16000, subtype='PCM_16')
            ex[ns] = dict(note=i, note_str=ns, instrument=i//33, instrument_str=ns[:-8], pitch=pitch, velocity=vel,
                          sample_rate=16000, qualities=[0]*10, qualities_str=[], instrument_family=i%11, instrument_family_str=fam,
                          instrument_source=(i//11)%3, instrument_source_str=src)
        (audio.parent/'examples.json').write_text(json.dumps(ex))
    return Path(dest)

def _temp_set():
    import atexit, shutil
    d = tempfile.mkdtemp(prefix='loader_bench_')
    atexit.register(shutil.rmtree, d, ignore_errors=True)
    return synthetic_nsynth(d)

def get_data(a):
    "The dataset folder: `--data`, else the rendered default set, else the mini set, else synthetic notes"
    if a.data: return Path(a.data)
    if a.synthetic: return _temp_set()
    if (Path('data')/'nsynth_gm_default'/'nsynth-train'/'examples.json').exists(): return Path('data')/'nsynth_gm_default'
    try:
        from fastai_audio_nb.datasets import get_nsynth_gm
        return get_nsynth_gm('mini')
    except Exception as e:
        print(f'no rendered notes ({type(e).__name__}: {e}); writing synthetic ones')
        return _temp_set()

def make_dls(path, a, nw, pin):
    "Raw-audio `DataLoaders` of `path` as the study builds them: labels from the file names, split by folder"
    from fastai.data.transforms import IndexSplitter
    from fastai_audio_nb.data import AudioDataLoaders
    from fastai_audio_nb.datasets import nsynth_items
    items = nsynth_items(path)
    items = items[items.split.isin(['train','valid'])].reset_index(drop=True)
    valid = np.flatnonzero(items.split=='valid')
    pat = r'^(\w+?)_(?:acoustic|electronic|synthetic)_\d{3}-\d{3}-\d{3}\.wav$'
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return AudioDataLoaders.from_name_re(path, list(items.fname), pat, splitter=IndexSplitter(valid), bs=a.bs,
                                             duration=4., num_workers=nw, device=a.device, pin_memory=pin), items

@contextmanager
def transport(dls, int16:bool):
    "Within: the items of `dls` travel as int16 (16-bit files) or float32"
    from fastai_audio_nb.learner import audio_loader
    la = audio_loader(dls); old = la.int16; la.int16 = int16
    try: yield
    finally: la.int16 = old

def timeit(f, n=1):
    "Best of 5 runs of `f` (seconds per call, each run `n` calls)"
    best = float('inf')
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(n): f()
        best = min(best, (time.perf_counter()-t0)/n)
    return best

def per_clip(dls, items, bs):
    "Microseconds per clip of each stage of loading, in this process with one torch thread, as in a loader worker (a batch's clips kept, as a loader keeps them)"
    n = torch.get_num_threads(); torch.set_num_threads(1)
    try: return _per_clip(dls, items, bs)
    finally: torch.set_num_threads(n)

def _per_clip(dls, items, bs):
    import soundfile as sf
    from fastai_audio_nb.core import load_audio
    from fastai_audio_nb.data import IntToFloatAudio
    files = [str(f) for f in items.fname[:64]]
    ds, dl = dls.train_ds, dls.train
    def read(dtype): return lambda: [sf.read(f, dtype=dtype) for f in files]
    def read16(f):
        with sf.SoundFile(f) as s: x = s.read(dtype='int16', always_2d=True).astype(np.float32)
        x *= np.float32(2**-15); return x
    rows = {'soundfile read as float32 (libsndfile converts)': timeit(read('float32'))/len(files),
            'soundfile read as int16': timeit(read('int16'))/len(files),
            'int16 read, scaled to float32 in numpy (load_audio, 16-bit files)': timeit(lambda: [read16(f) for f in files])/len(files),
            'load_audio (checks, read, tensor)': timeit(lambda: [load_audio(f, sr=16000) for f in files])/len(files),
            }
    for i16 in (False, True):
        kind = 'int16' if i16 else 'float32'
        with transport(dls, i16):
            rows[f'dataset item (LoadAudio + crop/pad + label), {kind} transport'] = timeit(lambda: [ds[i] for i in range(len(files))])/len(files)
            samples = [dl.do_item(i) for i in range(bs)]
            rows[f'collate, per clip of a batch, {kind} transport'] = timeit(lambda: dl.do_batch(samples))/bs
    xb = dl.do_batch(samples)[0]
    rows['int16 batch made float (IntToFloatAudio), per clip, in this process'] = timeit(lambda: IntToFloatAudio()(xb))/bs
    x16 = torch.zeros(bs, 1, 64000, dtype=torch.int16)
    rows['(int16 batch: stack, per clip)'] = timeit(lambda: torch.stack(list(x16)))/bs
    return {k: v*1e6 for k,v in rows.items()}

def loader_rate(dl, n_batches, device):
    "Clips/s delivered by `dl` after its first batch, and the seconds to that first batch"
    t0 = time.perf_counter(); it = iter(dl); n = 0
    next(it); sync(device); t1 = time.perf_counter()
    for _,(xb,yb) in zip(range(n_batches), it): n += len(xb)
    sync(device)
    return n/(time.perf_counter()-t1), t1-t0

def train_step(learn):
    model, opt, loss_func = learn.model, learn.opt, learn.loss_func
    def step(xb, yb):
        loss = loss_func(model(xb), yb)
        loss.backward(); opt.step(); opt.zero_grad()
    return step

def step_in_memory(learn, b, steps, device, warmup=2):
    "Seconds per training step on the raw audio batch `b`, already on the device (spectrogram + model)"
    step, after = train_step(learn), learn.dls.train.after_batch
    for _ in range(warmup): step(*after(b))
    sync(device); t0 = time.perf_counter()
    for _ in range(steps): step(*after(b))
    sync(device)
    return (time.perf_counter()-t0)/steps

def step_from_files(learn, dl, steps, device, warmup=2):
    "Seconds per training step fed by `dl` (loading, spectrogram, model), after `warmup` steps"
    step, it = train_step(learn), iter(dl)
    for _ in range(warmup): step(*next(it))
    sync(device); t0 = time.perf_counter(); n = 0
    for _ in range(steps):
        try: xb,yb = next(it)
        except StopIteration: it = iter(dl); xb,yb = next(it)
        step(xb, yb); n += 1
    sync(device)
    return (time.perf_counter()-t0)/n

def table(workers, raw, raw32, fed, t_mem, us):
    lines = ['| loader workers | loader alone, int16 transport, clips/s | float32 transport, clips/s | int16 / float32 | first batch, s | training step from files, ms | x in-memory step |',
             '|---:|---:|---:|---:|---:|---:|---:|']
    for nw in workers: lines.append(f'| {nw} | {raw[nw][0]:,.0f} | {raw32[nw][0]:,.0f} | {raw[nw][0]/raw32[nw][0]:.2f} | {raw[nw][1]:.2f} | {fed[nw]*1e3:,.1f} | {fed[nw]/t_mem:.2f} |')
    lines.append(f'| (batch already in memory) | | | | | {t_mem*1e3:,.1f} | 1.00 |')
    clips = ['| stage, one process, 1 torch thread | us per clip |', '|---|---:|'] + [f'| {k} | {v:,.0f} |' for k,v in us.items()]
    return '\n'.join(lines), '\n'.join(clips)

def main():
    a = get_args()
    if a.threads: torch.set_num_threads(a.threads)
    cuda = a.device.startswith('cuda')
    if cuda and not torch.cuda.is_available(): sys.exit('--device cuda: no GPU here')
    if cuda: torch.backends.cudnn.benchmark = True
    ncpu = os.cpu_count() or 1
    workers = [int(o) for o in a.workers.split(',')] if a.workers else ([0,1,2] if ncpu<=2 else sorted({0, 4, min(8, ncpu), min(16, ncpu)}))
    steps, warmup = a.steps or (50 if cuda else 5), 3 if cuda else 1
    pin = cuda if a.pin_memory is None else a.pin_memory=='yes'
    import torchvision
    from fastai_audio_nb.learner import audio_learner
    arch = getattr(torchvision.models, a.arch)
    desc = machine(a.device)
    path = get_data(a)
    dls, items = make_dls(path, a, 0, pin)
    src = f'{path} ({len(dls.train_ds)} training notes, 4 s, 16 kHz, 16-bit WAV)'
    print(f'machine: {desc}\ndata: {src}; bs {a.bs}; pin_memory {pin}\n', flush=True)

    us = per_clip(dls, items, a.bs)
    print('per clip, one process, 1 torch thread:'); [print(f'  {k:60s} {v:8.0f} us') for k,v in us.items()]
    raw, raw32 = {}, {}
    for nw in workers:   # int16 and float32 transports taking turns, twice, best of each
        for _ in range(2):
            with transport(dls, True): r = loader_rate(dls.train.new(num_workers=nw), a.batches, a.device)
            raw[nw] = max(raw.get(nw, r), r)
            with transport(dls, False): r = loader_rate(dls.train.new(num_workers=nw), a.batches, a.device)
            raw32[nw] = max(raw32.get(nw, r), r)
        print(f'loader, {nw} workers: int16 transport {raw[nw][0]:,.0f} clips/s (first batch after {raw[nw][1]:.2f} s); '
              f'float32 transport {raw32[nw][0]:,.0f} clips/s; int16 / float32 {raw[nw][0]/raw32[nw][0]:.2f}', flush=True)

    if a.loader_only:
        runs, clips = table(workers, raw, raw32, {nw: float('nan') for nw in workers}, float('nan'), us)
        print('\n' + runs + '\n\n' + clips); return
    b = tuple(dls.train.one_batch())     # raw audio on the device, before the learner adds the spectrogram
    learn = audio_learner(dls, arch, pretrained=False)
    learn.model.to(a.device).train(); learn.create_opt()
    if steps+warmup > len(learn.dls.train):   # a restart of the loader (and its workers) mid-run would be timed too
        steps = len(learn.dls.train)-warmup; print(f'{steps} steps: the training set has {len(learn.dls.train)} batches')
    t0 = step_in_memory(learn, b, steps, a.device, warmup)
    print(f'training step, batch in memory: {t0*1e3:,.1f} ms ({a.bs/t0:,.0f} clips/s)', flush=True)
    fed = {}
    for nw in workers:
        fed[nw] = step_from_files(learn, learn.dls.train.new(num_workers=nw), steps, a.device, warmup)
        print(f'training step from files, {nw} workers: {fed[nw]*1e3:,.1f} ms', flush=True)
    t1 = step_in_memory(learn, b, steps, a.device, warmup)   # again: a busy machine drifts
    t_mem = (t0+t1)/2
    print(f'training step, batch in memory, again: {t1*1e3:,.1f} ms', flush=True)

    runs, clips = table(workers, raw, raw32, fed, t_mem, us)
    best = min(workers, key=lambda nw: fed[nw])
    summary = (f'The model consumes {a.bs/t_mem:,.0f} clips/s ({a.arch} on log-mel spectrograms, forward + backward, batch in memory; '
               f'{t0*1e3:,.0f} and {t1*1e3:,.0f} ms per step before and after the other runs); the loader alone delivers '
               f'{max(v[0] for r in (raw, raw32) for v in r.values()):,.0f} clips/s at best; fed from the files, the step takes x{fed[best]/t_mem:.2f} '
               f'the in-memory step at best ({best} workers)' + ('; the target on a GPU is x1.10 or less' if cuda else ''))
    print('\n' + runs + '\n\n' + clips + '\n\n' + summary)
    if a.append:
        when = datetime.datetime.now().strftime('%Y-%m-%d %H:%M')
        cmd = 'python bench/loader.py ' + ' '.join(sys.argv[1:])
        txt = (f'\n## Loader against training step: {when}, {a.device}\n\nMachine: {desc}.\nData: {src}; batch size {a.bs}; '
               f'{steps} steps and {a.batches} loader batches timed per row; pin_memory {pin}; command `{cmd}`.\n\n'
               + runs + '\n\n' + clips + f'\n\n{summary}.\n')
        append_section(a.append, txt)

if __name__ == '__main__': main()
