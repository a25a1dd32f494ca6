"""Benchmark: the demo's training batch as `fit` runs it, with the body's first blocks kept as pretrained
(`freeze_blocks`) or not, side by side in one run.

The demo's loaders and recipe (`demo_recipe`: the clips in memory, `LoopSustain`, `LowPass`, the 'compact' spectrogram),
`audio_cnn` from the package's body with every layer trainable, then `freeze_blocks(learn, k)` for each `k` of
`--blocks`; float32 steps with channels-last weights (`ChannelsLast`), as the demo trains on a CPU without bfloat16
instructions (`--bf16`: in bfloat16, as it trains on one with them). Each round times `--n` batches of each `k` in turn
inside `fit_one_cycle` (the time from one batch's end to the next's: loading, the batch transforms, the step and the
callbacks; the first 3 of each not counted), `--rounds` times; the medians per round, then the median of the rounds and
its ratio to `k=0`.
Usage: python bench/freeze_step.py [--data FOLDER] [--blocks 0 1 2] [--rounds 4] [--n 30] [--threads 2] [--append bench/RESULTS.md]
"""
import argparse, statistics, sys, time
from pathlib import Path
import torch
sys.path.insert(0, str(Path(__file__).parent))
from benchutil import machine, append_section
from fastai.callback.core import Callback, CancelFitException
from fastai.callback.channelslast import ChannelsLast
from fastai_audio_nb.data import folder_dls
from fastai_audio_nb.learner import audio_learner, freeze_blocks, BF16Training
from fastai_audio_nb.models import get_arch
from fastai_audio_nb.training import demo_recipe, recipe_tfms, recipe_loss

class BatchTimes(Callback):
    "Seconds from the end of one training batch to the end of the next; stop the fit after `n`"
    order = 100
    def __init__(self, n): self.n = n
    def before_fit(self): self.ts, self.t = [], time.perf_counter()
    def after_batch(self):
        t = time.perf_counter(); self.ts.append(t-self.t); self.t = t
        if len(self.ts)>=self.n: raise CancelFitException()

def batch_seconds(dls, k:int, n:int, bf16:bool)->float:
    "Median seconds of a training batch of the demo's recipe with `k` blocks kept as pretrained"
    r = demo_recipe
    learn = audio_learner(dls, get_arch(r['arch']), spec=r['spec'], pretrained='audio')
    learn.unfreeze(); freeze_blocks(learn, k)
    learn.loss_func = recipe_loss(r, learn.loss_func)
    bt = BatchTimes(n+3)
    with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(1, r['lr'], cbs=[bt, BF16Training() if bf16 else ChannelsLast()])
    return statistics.median(bt.ts[3:])

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--data', default=None, help="a rendered set (default: get_nsynth_gm('large'), the demo's, rendered if missing)")
    p.add_argument('--blocks', nargs='+', type=int, default=[0, 1, 2])
    p.add_argument('--rounds', type=int, default=4)
    p.add_argument('--n', type=int, default=30)
    p.add_argument('--threads', type=int, default=None)
    p.add_argument('--bf16', action='store_true')
    p.add_argument('--append', default=None)
    a = p.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    from fastai_audio_nb.datasets import get_nsynth_gm
    path = Path(a.data) if a.data else get_nsynth_gm('large')
    desc = machine('cpu')
    print(desc, flush=True)
    dls = folder_dls(path, bs=64, batch_tfms=recipe_tfms(demo_recipe), cache=True)
    res = {k: [] for k in a.blocks}
    for i in range(a.rounds):
        for k in a.blocks:
            res[k].append(batch_seconds(dls, k, a.n, a.bf16))
            print(f"round {i}, {k} blocks kept: {res[k][-1]:.3f} s a batch", flush=True)
    base = statistics.median(res[a.blocks[0]])
    rows = ['| blocks kept as pretrained | s a training batch, per round | median | against the first row |', '|---|---|---:|---:|']
    for k,v in res.items():
        m = statistics.median(v)
        rows.append(f"| {k} | {', '.join(f'{o:.3f}' for o in v)} | {m:.3f} | {base/m:.2f}x |")
    txt = '\n'.join(rows)
    print(txt)
    if a.append:
        append_section(a.append, f"\n## The demo's training batch with the body's first blocks kept as pretrained (bench/freeze_step.py), {time.strftime('%Y-%m-%d %H:%M')}\n\n"
                       f"{desc}; `demo_recipe` on the large set, batches of 64, {'bfloat16 steps' if a.bf16 else 'float32 steps with channels-last weights'}, "
                       f"{a.rounds} rounds of {a.n} batches of each setting in turn, inside `fit_one_cycle`.\n\n{txt}\n")

if __name__=='__main__': main()
