"Exploratory (issue 16): does an exponential moving average of the weights generalize better than the last weights? Paired, in one run."
import sys, json, time, copy; sys.path.insert(0, str(__import__('pathlib').Path(__file__).resolve().parents[1]))
import torch; torch.set_num_threads(1)
from pathlib import Path
import accuracy as A
from fastai.callback.core import Callback
from fastai.torch_core import set_seed
from fastai_audio_nb.models import get_arch
from fastai_audio_nb.learner import audio_learner
from fastai_audio_nb.training import demo_recipe

class EMA(Callback):
    order = 100
    def __init__(self, decays): self.decays = decays
    def before_fit(self): self.avg = {d: {k: v.detach().float().clone() for k,v in self.model.state_dict().items() if v.is_floating_point()} for d in self.decays}
    def after_step(self):
        sd = self.model.state_dict()
        with torch.no_grad():
            for d,a in self.avg.items():
                for k,v in a.items(): v.mul_(d).add_(sd[k].float(), alpha=1-d)

path = Path('data/nsynth_gm_default')   # the demo's set (make demo renders it); from the repository root: python bench/recipe_search/ema.py 0 1 2
for seed in map(int, sys.argv[1:]):
    r = {**demo_recipe, 'consistency': None}   # the recipe it measured: before the consistency loss (2026-12-07)
    set_seed(seed); dls = A.split_dls(path, 'timgm', r)
    learn = audio_learner(dls, get_arch(r['arch']), spec=r['spec'], pretrained=False)
    ema = EMA((0.99, 0.995, 0.998))
    t0 = time.time()
    with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(15, r['lr'], cbs=ema)
    res = dict(seed=seed, secs=round(time.time()-t0))
    with learn.no_bar(): res['last'] = round(float(learn.validate()[1]), 4)
    last = copy.deepcopy(learn.model.state_dict())
    for d,a in ema.avg.items():
        learn.model.load_state_dict({**last, **a})
        with learn.no_bar(): res[f'ema{d}'] = round(float(learn.validate()[1]), 4)
    learn.model.load_state_dict(last)
    print(json.dumps(res), flush=True)
