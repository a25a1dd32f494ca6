"""Exploratory (issue 16): test-time adaptation of an exported model's BatchNorm statistics to the library it is scored
on (AdaBN, Li et al. 2016), side by side with the model as exported.

Each model (`model.pkl` from `make demo`) is scored on the validation notes of a rendered set (the demo's: TimGM6mb,
never heard in training) twice: as exported, and after its BatchNorm layers' running means and variances are
recomputed on those same notes (their audio only, not their labels: a cumulative average over one pass of the
validation batches, through the exported pipeline, `LoopSustain(infer=True)` included). Transductive: it uses the
audio of the notes it then scores, as `predict` on a batch of a new library's files could.
Usage: python bench/adabn.py MODEL.pkl [MODEL.pkl ...] [--data FOLDER] [--append bench/RESULTS.md]
"""
import argparse, copy, statistics, sys, time
from pathlib import Path
import torch
sys.path.insert(0, str(Path(__file__).parent))
from benchutil import machine, append_section
from fastai_audio_nb.core import get_audio_files
from fastai_audio_nb.learner import load_model

def adapted(model, dl):
    "A copy of `model` whose BatchNorm statistics are those of the batches of `dl`"
    m = copy.deepcopy(model)
    bns = [b for b in m.modules() if isinstance(b, torch.nn.modules.batchnorm._BatchNorm)]
    for b in bns: b.reset_running_stats(); b.momentum = None; b.train()   # momentum None: the cumulative average
    with torch.no_grad():
        for xb, *_ in dl: m(xb)
    return m.eval()

def accuracy(learn, model, dl)->float:
    learn.model = model
    with learn.no_bar(): p, y = learn.get_preds(dl=dl)
    return float((p.argmax(1)==y).float().mean())

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('models', nargs='+')
    p.add_argument('--data', default=None, help="a rendered set (default: get_nsynth_gm('large'), the demo's)")
    p.add_argument('--append', default=None)
    a = p.parse_args()
    from fastai_audio_nb.datasets import get_nsynth_gm
    path = Path(a.data) if a.data else get_nsynth_gm('large')
    files = get_audio_files(path, folders=['nsynth-valid'])
    rows, res = ["| model | as exported | BatchNorm adapted to the validation notes | change |", "|---|---:|---:|---:|"], []
    for f in a.models:
        learn = load_model(f)
        dl = learn.dls.test_dl(files, with_labels=True)
        m0 = learn.model
        r = (accuracy(learn, m0, dl), accuracy(learn, adapted(m0, dl), dl))
        res.append(r); rows.append(f"| {f} | {r[0]:.4f} | {r[1]:.4f} | {100*(r[1]-r[0]):+.1f} |")
    if len(res)>1: rows.append(f"| mean | {statistics.mean(r[0] for r in res):.4f} | {statistics.mean(r[1] for r in res):.4f} | {100*statistics.mean(r[1]-r[0] for r in res):+.1f} |")
    txt, desc = '\n'.join(rows), machine('cpu')
    print(desc); print(txt)
    if a.append: append_section(a.append, f"\n## BatchNorm adapted at test time (bench/adabn.py, exploratory), {time.strftime('%Y-%m-%d %H:%M')}\n\n"
                                f"{desc}; {len(files)} validation notes of {path.name}.\n\n{txt}\n")

if __name__=='__main__': main()
