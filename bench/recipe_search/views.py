"""Issue 16, exploratory: score the weights `bench/accuracy.py --save DIR` kept, with other inference views of the validation notes.

For each `{recipe}-{split}-{seed}.pth` in DIR: the notes as they are (`plain`), looped as the demo loops them (`mid`,
`LoopSustain(infer=True)`), the two passes' probabilities averaged (`mid+plain`) and their logits (`mid+plain_logits`, as
`FoldViews` averages `LoopSustain(infer='both')`'s views); without `quick`, also nine fixed loop settings (attack 0.05,
0.085, 0.12 s x 3, 5, 8 periods) and their averages. With `lowpass`, instead of the grid: `plain` and `mid` also
low-passed at 2.5 and 4 kHz on every note (`fft_filter`: the demo's `LowPass` at one cutoff), and those views averaged
with the demo's two (the logits).

    python bench/recipe_search/views.py DIR [THREADS] [quick|lowpass]
"""
import os, sys, json, torch
from pathlib import Path
sys.path.insert(0, str(Path(__file__).parents[1]))
import accuracy as A
from fastai_audio_nb.models import get_arch
from fastai_audio_nb.learner import audio_learner
from fastai_audio_nb.training import demo_recipe
from fastai_audio_nb.acoustics import LoopSustain
from fastai_audio_nb.augment import fft_filter
from fasttransform.transform import Transform

class FixedLowPass(Transform):
    "Every note low-passed at `cutoff` Hz, in validation too"
    def __init__(self, cutoff, sr=16000): self.cutoff,self.sr = cutoff,sr
    def encodes(self, x:torch.Tensor): return fft_filter(x, self.sr, self.cutoff) if x.is_floating_point() and x.ndim==3 else x
torch.set_num_threads(int(sys.argv[2]) if len(sys.argv)>2 else 2)
path = Path(os.environ.get('DATA', 'data/nsynth_gm_large'))   # the large set the weights were trained on
for w in sorted(Path(sys.argv[1]).glob('*.pth')):
    name, split, seed = w.stem.rsplit('-', 2)
    r = {**demo_recipe, **A.recipes[name]}
    dls = A.split_dls(path, split, r)
    learn = audio_learner(dls, get_arch(r['arch']), spec=r['spec'], pretrained=False)
    learn.model.load_state_dict(torch.load(w)); learn.model.eval()
    fs = learn.dls.valid.after_batch.fs
    i = [j for j,f in enumerate(fs) if isinstance(f, LoopSustain)][0]
    orig = list(fs)
    L = {}
    def probs(ls, key=None, lp=None):
        fs[:] = orig[:i] + ([FixedLowPass(lp)] if lp else []) + [ls] + orig[i+1:]
        with learn.no_bar(): p, y = learn.get_preds(act=lambda o: o)
        if key: L[key] = p
        return p.softmax(1), y
    res, P = dict(w=w.name), {}
    P['plain'], y = probs(LoopSustain(p=0., infer=False), 'plain')
    P['mid'], _ = probs(LoopSustain(infer=True), 'mid')
    mode = sys.argv[3] if len(sys.argv)>3 else ''
    for c in ((2500, 4000) if mode=='lowpass' else ()):
        P[f'plain_lp{c}'], _ = probs(LoopSustain(p=0., infer=False), f'plain_lp{c}', c)
        P[f'mid_lp{c}'], _ = probs(LoopSustain(infer=True), f'mid_lp{c}', c)
    for a in (() if mode else (0.05, 0.085, 0.12)):
        for k in (3, 5, 8):
            P[f'a{a}k{k}'], _ = probs(LoopSustain(attack=(a, a), periods=(k, k), infer=True))
    fs[:] = orig
    acc = lambda p: round(float((p.argmax(1)==y).float().mean()), 4)
    for k,p in P.items(): res[k] = acc(p)
    grid = [v for k,v in P.items() if k.startswith('a')]
    if grid: res['grid9'] = acc(sum(grid)); res['grid9+plain'] = acc(sum(grid)/9 + P['plain'])
    res['mid+plain'] = acc(P['mid'] + P['plain'])
    res['mid+plain_logits'] = acc(L['mid'] + L['plain'])
    for c in ((2500, 4000) if mode=='lowpass' else ()):
        res[f'mid+plain+lp{c}_logits'] = acc(L['mid'] + L['plain'] + L[f'mid_lp{c}'] + L[f'plain_lp{c}'])
    res['mid+plain_logp'] = acc(L['mid'].log_softmax(1) + L['plain'].log_softmax(1))
    if grid: res['k358'] = acc(P['a0.085k3'] + P['a0.085k5'] + P['a0.085k8'])
    print(json.dumps(res), flush=True)
