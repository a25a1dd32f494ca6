"""A cached batch of the demo's loader: each int16 item copied from its clip in memory (the code before 2026-12-07) against the
clip itself, which the collated batch copies anyway (`LoadAudio._cached` now). The demo's `DataLoaders` (the large set, `cache=True`,
batches of 64), its batch transforms but `LoopSustain` and `LowPass` (so that the loading alone is timed), rounds side by side.

    python bench/cache_copy.py --data data/nsynth_gm_large [--rounds 3] [--append bench/RESULTS.md]
"""
import argparse, sys, time
from pathlib import Path
import torch
sys.path.insert(0, str(Path(__file__).parent))
from benchutil import machine, append_section

def _cached_copy(self, fn, i16:bool):
    "`LoadAudio._cached` before 2026-12-07: every item a copy of its clip"
    from fastai_audio_nb.data import audio_to_float, crop_pad, _crop_start, AudioTensor
    x = getattr(self, '_clips', {}).get(str(fn))
    if x is None: return None
    y = x if i16 else audio_to_float(x)
    if y is x: y = x.clone()
    if self.duration is not None:
        n = int(round(self.duration*self.sr))
        y = crop_pad(y, n, _crop_start(y.shape[-1], n, self.crop, getattr(self, 'train', False)))
    return AudioTensor(y, sr=self.sr)

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--data', default='data/nsynth_gm_large'); p.add_argument('--rounds', type=int, default=3)
    p.add_argument('--batches', type=int, default=30); p.add_argument('--append', default=None)
    a = p.parse_args()
    from fasttransform.transform import Pipeline
    from fastai.torch_core import set_seed
    from fastai_audio_nb import data as D
    from fastai_audio_nb.training import recipe_tfms, recipe_bs, demo_recipe
    set_seed(42)
    dls = D.folder_dls(Path(a.data), bs=recipe_bs(demo_recipe), batch_tfms=recipe_tfms(demo_recipe), cache=True); dl = dls.train
    dl.after_batch = Pipeline([f for f in dl.after_batch.fs if type(f).__name__ not in ('LoopSustain', 'LowPass')])
    now = D.LoadAudio._cached
    def per_batch(f):
        D.LoadAudio._cached = f
        it = iter(dl); next(it); t = time.perf_counter()
        for _ in range(a.batches): b = next(it)
        D.LoadAudio._cached = now
        return (time.perf_counter()-t)/a.batches, b[0]
    rows = []
    for r in range(a.rounds):
        (c, bc), (n, bn) = per_batch(_cached_copy), per_batch(now)
        rows.append(f"| {r+1} | {c:.4f} | {n:.4f} | {c/n:.2f} |")
    from fastai_audio_nb.learner import audio_loader
    la, files = audio_loader(dls), list(dls.train_ds.items[:64])
    same = all(torch.equal(_cached_copy(la, f, la.int16), now(la, f, la.int16)) for f in files)   # the same items from both
    desc = machine('cpu')
    txt = '\n'.join(["| round | copy each item (s per batch) | the clip itself (s per batch) | ratio |", "|---|---:|---:|---:|", *rows])
    print(desc); print(txt); print(f"the same items from both: {same}")
    if a.append: append_section(a.append, f"\n## A cached batch: each item copied or not (bench/cache_copy.py), {time.strftime('%Y-%m-%d %H:%M')}\n\n{desc}; {a.batches} training batches of 64 a round, the demo's loader without `LoopSustain` and `LowPass`.\n\n{txt}\n\nThe items of both are {'the same' if same else 'NOT the same'} (64 files checked).\n")

if __name__=='__main__': main()
