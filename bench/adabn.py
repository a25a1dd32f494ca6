"""Issue 16: test-time adaptation of an exported model's BatchNorm statistics to the library it is scored on (AdaBN,
Li et al. 2016; `adapt_batchnorm`, `predict_files(adapt=True)`, `fastai-audio predict --adapt`), side by side with the
model as exported.

Each model (`model.pkl` from `make demo`) predicts the validation notes of a rendered set (the demo's: TimGM6mb, never
heard in training) twice with `predict_files`: as exported, and with `adapt=True`, its BatchNorm layers' running means
and variances recomputed on those same notes (their audio only, not their labels: one pass through the exported
pipeline, `LoopSustain(infer=True)` included). Transductive: it uses the audio of the notes it then scores, as a user
predicting a folder of a new library's files does.
Usage: python bench/adabn.py MODEL.pkl [MODEL.pkl ...] [--data FOLDER] [--append bench/RESULTS.md]
"""
import argparse, re, statistics, sys, time
from pathlib import Path
sys.path.insert(0, str(Path(__file__).parent))
from benchutil import machine, append_section
from fastai_audio_nb.core import get_audio_files
from fastai_audio_nb.data import nsynth_label_re
from fastai_audio_nb.learner import load_model, predict_files

def accuracy(learn, files, adapt:bool)->tuple:
    "Accuracy of `learn` on the NSynth-named `files` (`predict_files`, `adapt`), and its seconds"
    t0 = time.perf_counter()
    df = predict_files(learn, files, with_probs=False, adapt=adapt)
    return float((df.label==[re.match(nsynth_label_re, Path(f).name)[1] for f in df.file]).mean()), time.perf_counter()-t0

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('models', nargs='+')
    p.add_argument('--data', default=None, help="a rendered set (default: get_nsynth_gm('large'), the demo's)")
    p.add_argument('--append', default=None)
    a = p.parse_args()
    from fastai_audio_nb.datasets import get_nsynth_gm
    path = Path(a.data) if a.data else get_nsynth_gm('large')
    files = get_audio_files(path, folders=['nsynth-valid'])
    rows = ["| model | as exported | `adapt=True`: BatchNorm fitted to the validation notes | change | seconds (as exported, adapted) |", "|---|---:|---:|---:|---|"]
    res = []
    for f in a.models:
        learn = load_model(f)
        (p, tp), (q, tq) = accuracy(learn, files, False), accuracy(learn, files, True)
        res.append((p, q)); rows.append(f"| {f} | {p:.4f} | {q:.4f} | {100*(q-p):+.1f} | {tp:.1f}, {tq:.1f} |")
    if len(res)>1: rows.append(f"| mean of {len(res)} (sd) | {statistics.mean(r[0] for r in res):.4f} ({statistics.stdev(r[0] for r in res):.3f}) | "
                               f"{statistics.mean(r[1] for r in res):.4f} ({statistics.stdev(r[1] for r in res):.3f}) | {100*statistics.mean(r[1]-r[0] for r in res):+.1f} | |")
    txt, desc = '\n'.join(rows), machine('cpu')
    print(desc); print(txt)
    if a.append: append_section(a.append, f"\n## BatchNorm adapted at test time (bench/adabn.py, exploratory), {time.strftime('%Y-%m-%d %H:%M')}\n\n"
                                f"{desc}; {len(files)} validation notes of {path.name}.\n\n{txt}\n")

if __name__=='__main__': main()
