"""Sound event detection on rendered recordings (nbs/06a_events.ipynb, nbs/06b_recordings.ipynb): event-based F1 and PSDS of a
model trained on the default set's clips (weak labels) with the default recipe plus `to_sed`, on recordings rendered from the
validation SoundFont (TimGM6mb: instruments never heard in training); then x real time and peak memory of `predict_events`
on one hour of audio, in a fresh process, next to a 6-minute file (memory independent of the length) and to loading the hour
whole (what `predict_windows` did before).

    python bench/events.py [--epochs 5] [--save-model data/sed_default.pkl] [--append bench/RESULTS.md]
    python bench/events.py --model data/sed_default.pkl [--append bench/RESULTS.md]   # a model trained before: scoring and timing only
"""
import argparse, os, re, sys, time, json, subprocess, tempfile, textwrap
from pathlib import Path
import numpy as np, soundfile as sf, torch
sys.path.insert(0, str(Path(__file__).parent))
from benchutil import machine, append_section

_rss_script = textwrap.dedent("""
    import sys, time, resource, json, warnings
    warnings.filterwarnings('ignore')
    from fastai.learner import load_learner
    from fastai_audio_nb.events import predict_events
    from fastai_audio_nb.core import load_audio
    what, model, fn = sys.argv[1:4]
    learn = load_learner(model) if model!='-' else None
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024
    t0 = time.perf_counter()
    n = len(predict_events(learn, fn, threshold=0.5)) if what=='events' else load_audio(fn).shape[-1]
    print(json.dumps(dict(seconds=time.perf_counter()-t0, rss_before_mb=before, peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024, n=n)))
""")

def measure(what, model, fn):
    "Seconds and peak RSS of `predict_events(model, fn)` (or of `load_audio(fn)`) in a fresh process"
    out = subprocess.run([sys.executable, '-c', _rss_script, what, str(model), str(fn)], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])

def tile(src_files, dest, seconds, sr=16000, block_s=60):
    "Write `seconds` of audio to `dest` by repeating `src_files` one after another, a block at a time (never the whole in memory)"
    with sf.SoundFile(dest, 'w', sr, 1, 'PCM_16') as out:
        left = int(seconds*sr)
        while left>0:
            for f in src_files:
                with sf.SoundFile(f) as s:
                    for b in s.blocks(blocksize=block_s*sr, dtype='int16'):
                        b = b[:left]; out.write(b); left -= len(b)
                        if left<=0: return dest
    return dest

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--epochs', type=int, default=5)
    p.add_argument('--arch', default='audio_resnet')
    p.add_argument('--recordings', type=int, default=5); p.add_argument('--minutes', type=float, default=2.)
    p.add_argument('--data', default='data')
    p.add_argument('--model', default=None, help='an exported model from --save-model: skip the training')
    p.add_argument('--save-model', default=None)
    p.add_argument('--append', default=None)
    a = p.parse_args()
    from fastai.vision.all import set_seed, FuncSplitter, load_learner
    from fastai_audio_nb.all import (get_nsynth_gm, AudioDataLoaders, get_audio_files, audio_learner, fit_epochs, audio_resnet,
                                     get_recordings, read_events, predict_events, evaluate_events, frame_hop, predict_files, psds)
    from torchvision.models import resnet18
    t_all, mach = time.time(), machine('cpu')
    print(mach, flush=True)
    data = Path(a.data)
    path = get_nsynth_gm('default', data/'nsynth_gm_default', progress=False)
    rec = get_recordings(a.recordings, a.minutes, 'TimGM6mb', seed=0, dest=data/f'recordings_TimGM6mb_{a.recordings}x{a.minutes:g}min')
    truth = read_events(rec/'events.tsv')
    files = sorted((rec/'audio').glob('*.wav'))
    print(f"recordings: {len(files)} x {a.minutes:g} min, {len(truth)} events, {truth.event_label.nunique()} families", flush=True)
    nsynth_re = r'^(\w+?)_(?:acoustic|electronic|synthetic)_\d{3}-\d{3}-\d{3}\.wav$'
    dls = AudioDataLoaders.from_name_re(path, get_audio_files(path), nsynth_re, bs=64, duration=4.,
                                        splitter=FuncSplitter(lambda o: o.parent.parent.name=='nsynth-valid'))
    if a.model:
        learn = load_learner(a.model)
        valid = [f for f in dls.valid_ds.items]
        fams = [re.match(nsynth_re, f.name)[1] for f in valid]
        with learn.no_bar(): clip_acc = float(np.mean([l==y for l,y in zip(predict_files(learn, valid, with_probs=False).label, fams)]))
        train_s, trained = None, f"loaded from {a.model} (trained by an earlier run of this script with --save-model)"
    else:
        set_seed(42)
        arch = audio_resnet if a.arch=='audio_resnet' else resnet18
        learn = audio_learner(dls, arch, pretrained=False).to_sed()
        t0 = time.time()
        table = fit_epochs(learn, a.epochs, fine_tune=False)
        train_s, clip_acc = time.time()-t0, table.epochs[-1]['accuracy']
        trained = f"{train_s:.0f} s of training"
        if a.save_model: learn.export(Path(a.save_model).absolute())
    fh = frame_hop(learn)
    settings = {'raw (threshold 0.5)': dict(threshold=0.5), 'raw (threshold 0.2)': dict(threshold=0.2),
                'smoothed (threshold 0.5, median_window 1.5 s, minimum_event_gap 0.5 s, minimum_event_length 0.5 s)':
                    dict(threshold=0.5, median_window=1.5, minimum_event_gap=0.5, minimum_event_length=0.5)}
    pred, frames = predict_events(learn, files, with_frames=True)
    durs = {Path(f).name: sf.info(str(f)).duration for f in files}
    rows = []
    from fastai_audio_nb.events import frames_to_events
    import pandas as pd
    for name, kw in settings.items():
        ev = pd.concat([frames_to_events(fr, filename=f, **kw) for f,fr in frames.items()], ignore_index=True)
        m = evaluate_events(ev, truth, frames, files=files, durations=durs, classes=list(dls.vocab))
        m['psds2'] = psds(frames, truth, durs, dtc_threshold=0.1, gtc_threshold=0.1, cttc_threshold=0.3, alpha_ct=0.5, alpha_st=1.)[0]
        rows.append((name, len(ev), m)); print(name, {k:v for k,v in m.items() if k!='class_wise_event_f1'}, flush=True)
    tmp = Path(tempfile.mkdtemp(dir=data))
    model = tmp/'sed.pkl'; learn.export(model.absolute())
    hour, six = tile(files, tmp/'hour.wav', 3600), tile(files, tmp/'six.wav', 360)
    r6, r60, whole = measure('events', model, six), measure('events', model, hour), measure('load', '-', hour)
    print(r6, r60, whole, flush=True)
    for f in (model, hour, six): f.unlink()
    tmp.rmdir()
    load_end = os.getloadavg()[0]
    txt = [f"\n## Sound event detection on rendered recordings: {time.strftime('%Y-%m-%d %H:%M')}, cpu\n",
           f"`bench/events.py` (project issue 21; `nbs/06a_events.ipynb`, `nbs/06b_recordings.ipynb`). Machine: {mach}, {load_end:.1f} at the end (other jobs share the CPU). "
           f"Command `python {' '.join(sys.argv)}`; {(time.time()-t_all)/60:.1f} min in all.\n",
           f"Model: {a.arch} from scratch, the default recipe (`fit_one_cycle`, lr 3e-3, {a.epochs} epochs, batch 64, the study's spectrogram) on the default set's clips "
           f"({len(dls.train_ds)} training notes, weak labels: one family a clip, no times), with `to_sed()` (linear-softmax pooling); {trained}; "
           f"clip accuracy on the {len(dls.valid_ds)} validation notes {clip_acc:.3f}. Frames {fh:.3f} s apart (time stride 32 x hop 256 at 16 kHz).\n",
           f"Recordings: {len(files)} x {a.minutes:g} min rendered from TimGM6mb (instruments never heard in training), {len(truth)} events of {truth.event_label.nunique()} families, "
           f"some overlapping, at levels -20 to 0 dB; windows of 4 s every 2 s. Post-processing fixed beforehand (not tuned on these recordings); PSDS scores the frame probabilities (no threshold): scenario 1 is DCASE's (dtc 0.7, gtc 0.7, alpha_st 1), scenario 2 its lenient one (dtc 0.1, gtc 0.1, cttc 0.3, alpha_ct 0.5), both up to 100 false positives an hour.\n",
           "| post-processing | events found | event-based F1 (collar 0.2 s) | event ER | segment-based F1 (1 s) | segment ER | PSDS scenario 1 | PSDS scenario 2 |",
           "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, n, m in rows:
        txt.append(f"| {name} | {n} | {m['event_f1']:.3f} | {m['event_er']:.3f} | {m['segment_f1']:.3f} | {m['segment_er']:.3f} | {m['psds']:.3f} | {m['psds2']:.3f} |")
    cw = rows[-1][2]['class_wise_event_f1']
    txt.append(f"\nEvent-based F1 per family (smoothed): {', '.join(f'{k} {v:.2f}' for k,v in cw.items())}.\n")
    txt += [f"One hour of audio (the recordings tiled, 16 kHz mono 16-bit, written in blocks), `predict_events` in a fresh process:\n",
            "| file | seconds | x real time | peak RSS (MB) | RSS after loading the model (MB) |", "|---|---:|---:|---:|---:|",
            f"| 6 min | {r6['seconds']:.1f} | {360/r6['seconds']:.0f} | {r6['peak_rss_mb']:.0f} | {r6['rss_before_mb']:.0f} |",
            f"| 60 min | {r60['seconds']:.1f} | {3600/r60['seconds']:.0f} | {r60['peak_rss_mb']:.0f} | {r60['rss_before_mb']:.0f} |",
            f"\nThe hour's peak is {r60['peak_rss_mb']-r6['peak_rss_mb']:+.0f} MB from the 6 minutes' (memory independent of the length: blocks of 60 s are decoded, "
            f"and only the frame probabilities, {3600/fh:.0f} frames x {len(dls.vocab)} classes, grow with it). Loading the hour whole (`load_audio`, what `predict_windows` did before) "
            f"peaks at {whole['peak_rss_mb']:.0f} MB in a process of {whole['rss_before_mb']:.0f} MB before it.\n"]
    print('\n'.join(txt))
    if a.append: append_section(a.append, '\n'.join(txt))

if __name__=='__main__': main()
