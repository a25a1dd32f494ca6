"""Exploratory (issue 16): two models of half the epochs each, their probabilities averaged, against one model of all the epochs.

The demo's recipe as it is (`demo_recipe`, trained as `bench/accuracy.py --recipes demo` trains it: from the package's audio
body when the recipe says so, every layer trained, bfloat16 steps when it says so) on the demo's set, scored on the TimGM6mb
notes (looped as the demo scores them). Each pair is `seed` and `seed + --offset`.
From the repository root, with the demo's set rendered (make demo):
    python bench/recipe_search/pair.py --data data/nsynth_gm_large --epochs 11 --seeds 0 2 4 --offset 1
and the single models of twice the epochs: python bench/accuracy.py --recipes demo --epochs 22 --seeds 0 1 2 --split timgm ...
"""
import sys, json, time, argparse
from pathlib import Path
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import torch
import accuracy as A
from fastai.torch_core import set_seed
from fastai.metrics import accuracy
from fastai_audio_nb.models import get_arch
from fastai_audio_nb.learner import audio_learner
from fastai_audio_nb.training import demo_recipe

def member(path, seed, epochs):
    "Train one model of the demo's recipe with `seed` for `epochs`, as `bench/accuracy.py` does; its validation probabilities and targets"
    from fastai_audio_nb.learner import BF16Training
    r = {**demo_recipe, 'consistency': None}   # the recipe it measured: before the consistency loss (2026-12-07)
    set_seed(seed); dls = A.split_dls(path, 'timgm', r)
    learn = audio_learner(dls, get_arch(r['arch']), spec=r['spec'], pretrained=r.get('pretrained', False))
    if r.get('pretrained')=='audio': learn.unfreeze()   # the body trains whole from the first epoch, as the demo trains it
    with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(epochs, r['lr'], cbs=[BF16Training()] if r.get('bf16') else None)
    with learn.no_bar(): p, y = learn.get_preds()
    return p, y

if __name__=='__main__':
    a = argparse.ArgumentParser(); a.add_argument('--epochs', type=int, default=8); a.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2]); a.add_argument('--offset', type=int, default=1000)
    a.add_argument('--data', default='data/nsynth_gm_default'); a.add_argument('--threads', type=int, default=1); a = a.parse_args()
    torch.set_num_threads(a.threads)
    for seed in a.seeds:
        t0 = time.time()
        (p1, y), (p2, _) = member(Path(a.data), seed, a.epochs), member(Path(a.data), seed+a.offset, a.epochs)
        acc = lambda p: round(float(accuracy(p, y)), 4)
        print(json.dumps(dict(seed=seed, epochs=a.epochs, first=acc(p1), second=acc(p2), averaged=acc((p1+p2)/2), secs=round(time.time()-t0))), flush=True)
