"""Smoke test of fastai_audio_nb on whatever stack is installed (`make test-latest`: the newest fastai, fastcore
and torch the registry offers together), without nbdev: import every module (without importing torchaudio, which
only runs on the torch of its own version), build the mini set's `DataLoaders` the study's way, train one epoch,
export, load, predict one file and a folder.

Prints the versions, one line per step (`ok` or the error), the warnings our code and its dependencies raised
(a preview of what the next release breaks), and `smoke: OK` last; exits 1 at the first step that fails.
Usage: python tools/smoke_latest.py [--arch resnet18] [--bs 16] [--out DIR]
"""
import argparse, importlib, sys, tempfile, time, traceback, warnings
from collections import Counter
from pathlib import Path

MODULES = ('core', 'data', 'spectrogram', 'augment', 'acoustics', 'models', 'audioset', 'learner', 'training', 'interpret', 'datasets', 'pretrain', 'cli', 'all')
STUDY_RE = r'^(\w+?)_(?:acoustic|electronic|synthetic)_\d{3}-\d{3}-\d{3}\.wav$'

def versions()->str:
    import importlib.metadata as md
    out = [f'python {sys.version.split()[0]}']
    for p in ('fastai', 'fastcore', 'fasttransform', 'plum-dispatch', 'torch', 'torchaudio', 'torchvision', 'numpy',
              'pandas', 'soundfile', 'matplotlib', 'fastai_audio_nb'):
        try: out.append(f'{p} {md.version(p)}')
        except md.PackageNotFoundError: out.append(f'{p} (not installed)')
    return ', '.join(out)

class Smoke:
    "Run named steps in order; the first failure prints its traceback and exits 1"
    def __init__(self): self.t0, self.warned = time.perf_counter(), Counter()
    def __call__(self, name, f):
        t = time.perf_counter()
        with warnings.catch_warnings(record=True) as ws:
            warnings.simplefilter('always')
            try: res = f()
            except Exception as e:
                print(f'FAIL {name}: {type(e).__name__}: {e}', flush=True)
                traceback.print_exc()
                self.report_warnings()
                print(f'smoke: FAILED at {name!r} ({versions()})')
                sys.exit(1)
        for w in ws: self.warned[(w.category.__name__, str(w.message).split('\n')[0][:200], Path(w.filename).name)] += 1
        print(f'ok   {name} ({time.perf_counter()-t:.1f} s)', flush=True)
        return res
    def report_warnings(self):
        if not self.warned: print('warnings: none'); return
        print(f'warnings ({sum(self.warned.values())}, {len(self.warned)} distinct):')
        for (cat,msg,fn),n in self.warned.most_common(): print(f'  {n:4d} x {cat} ({fn}): {msg}')

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--arch', default='resnet18', help='a torchvision model builder')
    p.add_argument('--bs', type=int, default=16)
    p.add_argument('--out', default=None, help='folder for the exported model (default: a temporary one)')
    a = p.parse_args()
    print(versions(), flush=True)
    step = Smoke()
    def imports():
        mods = {m: importlib.import_module(f'fastai_audio_nb.{m}') for m in MODULES}
        # torchaudio only imports on the torch of its own version: the library must not need it
        assert 'torchaudio' not in sys.modules, 'importing the library imported torchaudio'
        return mods
    mods = step('import every module (without torchaudio)', imports)
    import torch, torchvision
    from fastai.data.transforms import FuncSplitter
    from fastai.learner import load_learner
    core, data, learner, datasets = (mods[m] for m in ('core', 'data', 'learner', 'datasets'))

    path = step("get_nsynth_gm('mini')", lambda: datasets.get_nsynth_gm('mini', progress=False))
    items = step('nsynth_items', lambda: datasets.nsynth_items(path))
    files = [f for f in items.fname if f.parent.parent.name in ('nsynth-train', 'nsynth-valid')]
    def make_dls():
        dls = data.AudioDataLoaders.from_name_re(path, files, STUDY_RE, bs=a.bs, num_workers=0,
                                                 splitter=FuncSplitter(lambda f: f.parent.parent.name=='nsynth-valid'))
        assert len(dls.vocab)==11 and len(dls.valid_ds)>0, f'{len(dls.vocab)} classes, {len(dls.valid_ds)} validation notes'
        xb,yb = dls.one_batch()
        assert isinstance(xb, core.AudioTensor) and tuple(xb.shape)==(a.bs, 1, 64000), f'{type(xb).__name__} {tuple(xb.shape)}'
        return dls
    dls = step('AudioDataLoaders.from_name_re (study regex, split by folder)', make_dls)
    arch = getattr(torchvision.models, a.arch)
    learn = step(f'audio_learner({a.arch}, pretrained=False)', lambda: learner.audio_learner(dls, arch, pretrained=False))
    def fit():
        with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(1, 3e-3)
        loss = float(learn.recorder.values[-1][0])
        assert loss==loss, 'the validation loss is NaN'
        return loss
    loss = step('fit_one_cycle(1)', fit)
    out = Path(a.out or tempfile.mkdtemp(prefix='smoke_latest_'))
    fn = out/'model.pkl'
    step('learn.export', lambda: learn.export(fn))
    def load():
        with warnings.catch_warnings():
            warnings.filterwarnings('ignore', message='load_learner` uses Python')   # fastai's pickle notice
            return load_learner(fn, cpu=True)
    learn2 = step('load_learner', load)
    valid = [f for f in files if f.parent.parent.name=='nsynth-valid']
    def predict():
        with learn2.no_bar(): lbl, idx, probs = learn2.predict(valid[0])
        assert str(lbl) in learn2.dls.vocab and probs.shape==(11,) and abs(float(probs.sum())-1)<1e-4, (lbl, probs)
        with learn.no_bar(): ref = learn.predict(valid[0])[2]
        assert torch.allclose(probs, ref.cpu(), atol=1e-4), 'the loaded model predicts otherwise than the trained one'
        return lbl
    lbl = step('learn.predict(file)', predict)
    def pred_files():
        df = learner.predict_files(learn2, valid[:20], bs=8)
        assert len(df)==min(20, len(valid)) and set(df.label) <= set(learn2.dls.vocab), df.head()
        return df
    df = step('predict_files', pred_files)
    step.report_warnings()
    print(f'trained 1 epoch: valid loss {loss:.3f}; predicted {len(df)} files; first: {valid[0].name} -> {lbl}')
    print(f'total {time.perf_counter()-step.t0:.0f} s')
    print('smoke: OK')

if __name__ == '__main__': main()
