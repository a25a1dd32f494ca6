"""Does computing the spectrogram in the loader processes, instead of the main process, make an epoch on the fly cheaper
on a CPU? (A) the study's PNGs; (B) the library's default, the spectrogram in `after_batch` (main process);
(B, in workers) the same transforms applied to each collated batch inside the loader processes (so they overlap with
the training step). Whole `fit` epochs (training and validation) taking turns, ABC CBA ..., after a short warm-up.

    python bench/spec_in_workers.py --append bench/RESULTS.md
    python bench/spec_in_workers.py --size mini --rounds 1      # a quick check of this script

On a GPU the spectrogram belongs on the GPU, so this is a CPU question only."""
import argparse, sys, time, warnings
from pathlib import Path
import numpy as np, torch
warnings.filterwarnings('ignore')
import matplotlib; matplotlib.use('Agg')
sys.path.insert(0, str(Path(__file__).parent))
from study import generate_pngs, image_dls, image_learner, load_avg
from benchutil import machine, append_section
from fastai.vision.all import *
from fastai_audio_nb.datasets import get_nsynth_gm, nsynth_items
from fastai_audio_nb.learner import audio_learner
from fastai_audio_nb.data import folder_dls
from fastai_audio_nb.models import get_arch

def spec_in_workers(dls):
    "Move `dls`' batch transforms into its loader processes: each collated batch goes through them there"
    for dl in dls.loaders:
        pipe, collate = dl.after_batch, dl.create_batch
        dl.after_batch = Pipeline([])
        dl.create_batch = lambda b, pipe=pipe, collate=collate: pipe(collate(b))
    return dls

def fit_s(learn, lr=3e-3):
    "Seconds of one `fit` epoch, and the validation accuracy after it"
    with learn.no_bar(), learn.no_logging():
        t0 = time.perf_counter(); learn.fit(1, lr); return time.perf_counter()-t0, learn.recorder.values[-1][-1]

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--data', default='data/nsynth_gm_default'); p.add_argument('--size', default='default', choices=['default', 'mini'])
    p.add_argument('--rounds', type=int, default=2, help='epochs of each pipeline, taking turns')
    p.add_argument('--arch', default='resnet18'); p.add_argument('--bs', type=int, default=64)
    p.add_argument('--work', default='/tmp/fastai_audio_spec_in_workers'); p.add_argument('--append', default=None)
    a = p.parse_args()
    desc, path = machine('cpu'), get_nsynth_gm(a.size, a.data if a.size=='default' else None)
    items, arch = nsynth_items(path), get_arch(a.arch)
    gen_s, _ = generate_pngs(path, items, Path(a.work)/'png', 'cpu')
    set_seed(42); learns = {'A: images': image_learner(image_dls(Path(a.work)/'png', a.bs, 'cpu'), arch)}
    for k in ('B: main process', 'B: in workers'):
        set_seed(42); learn = audio_learner(folder_dls(path, bs=a.bs, device='cpu'), arch, pretrained=False)
        if k.endswith('workers'): spec_in_workers(learn.dls)    # after the learner: it adds the spectrogram to `after_batch`
        learns[k] = learn
    for l in learns.values():
        with l.no_bar(), l.no_logging(): l.fit(1, 3e-3, cbs=ShortEpochCallback(0.1))   # warm-up: loader processes, caches
    ts, names = {k: [] for k in learns}, list(learns)
    for r in range(a.rounds):
        for k in (names if r%2==0 else names[::-1]):
            ts[k].append(fit_s(learns[k])[0]); print(f'{k}: {ts[k][-1]:.2f} s', flush=True)
    base = sum(ts['A: images'])
    lines = [f"## Spectrogram in the loader processes, CPU ({time.strftime('%Y-%m-%d %H:%M')})", "",
             f"Machine: {desc}, {load_avg():.1f} at the end. Data: {path} ({len(items)} notes of 4 s); {a.arch} from scratch, "
             f"batch size {a.bs}, {learns['B: main process'].dls.train.fake_l.num_workers} loader processes; {a.rounds} epochs of each, "
             f"taking turns. Command: `python bench/spec_in_workers.py {' '.join(sys.argv[1:])}`.", "",
             "| pipeline | epochs, s | mean s | / A |", "|---|---|---:|---:|"]
    for k in names: lines.append(f"| {k} | {', '.join(f'{t:.1f}' for t in ts[k])} | {np.mean(ts[k]):.2f} | {sum(ts[k])/base:.3f} |")
    md = '\n'.join(lines) + '\n'
    print('\n' + md)
    if a.append: append_section(a.append, '\n' + md)

if __name__ == '__main__': main()
