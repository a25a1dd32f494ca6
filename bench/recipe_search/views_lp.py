"""Issue 16, exploratory: do low-passed copies of each validation note, heard beside the demo's two views, help?

For each `{recipe}-{split}-{seed}.pth` in DIR (`bench/accuracy.py --save DIR`): the logits of the notes as they are (`plain`)
and looped (`mid`), each also low-passed at fixed cutoffs (`fft_filter`, the demo's `LowPass` at one cutoff, on every note);
then the accuracy of the views' logits averaged, the demo's `plain+mid` first.

    DATA=data/nsynth_gm_large python bench/recipe_search/views_lp.py DIR [THREADS]
"""
import os, sys, json, itertools, torch
from pathlib import Path
from fastcore.transform import Transform
sys.path.insert(0, str(Path(__file__).parents[1]))
import accuracy as A
from fastai_audio_nb.models import get_arch
from fastai_audio_nb.learner import audio_learner
from fastai_audio_nb.training import demo_recipe
from fastai_audio_nb.acoustics import LoopSustain
from fastai_audio_nb.augment import fft_filter
torch.set_num_threads(int(sys.argv[2]) if len(sys.argv)>2 else 2)
path = Path(os.environ.get('DATA', 'data/nsynth_gm_large'))

class FixedLowPass(Transform):
    "Every note low-passed at `cutoff` Hz, in validation too"
    order = 0
    def __init__(self, cutoff, sr=16000): self.cutoff,self.sr = cutoff,sr
    def encodes(self, x:torch.Tensor): return fft_filter(x, self.sr, self.cutoff) if x.is_floating_point() and x.ndim==3 else x

for w in sorted(Path(sys.argv[1]).glob('*.pth')):
    name, split, seed = w.stem.rsplit('-', 2)
    r = {**demo_recipe, **A.recipes[name]}
    dls = A.split_dls(path, split, r)
    learn = audio_learner(dls, get_arch(r['arch']), spec=r['spec'], pretrained=False)
    learn.model.load_state_dict(torch.load(w)); learn.model.eval()
    fs = learn.dls.valid.after_batch.fs
    i = [j for j,f in enumerate(fs) if isinstance(f, LoopSustain)][0]
    orig = list(fs)
    def logits(ls, lp=None):
        fs.clear(); fs.extend(orig[:i] + ([FixedLowPass(lp)] if lp else []) + [ls] + orig[i+1:])
        with learn.no_bar(): p, y = learn.get_preds(act=lambda o: o)
        return p, y
    L = {}
    L['plain'], y = logits(LoopSustain(p=0., infer=False))
    L['mid'], _ = logits(LoopSustain(infer=True))
    for c in (2500, 4000):
        L[f'plain_lp{c}'], _ = logits(LoopSustain(p=0., infer=False), c)
        L[f'mid_lp{c}'], _ = logits(LoopSustain(infer=True), c)
    fs.clear(); fs.extend(orig)
    acc = lambda p: round(float((p.argmax(1)==y).float().mean()), 4)
    res = dict(w=w.name, **{k: acc(v) for k,v in L.items()})
    for combo in (('plain','mid'), ('plain','mid','plain_lp4000','mid_lp4000'), ('plain','mid','plain_lp2500','mid_lp2500'),
                  ('plain','mid','mid_lp4000'), ('plain','mid','plain_lp4000'), tuple(L)):
        res['+'.join(combo) if len(combo)<6 else 'all6'] = acc(sum(L[k] for k in combo))
    print(json.dumps(res), flush=True)
