"""Issue 16: the package's audio-pretrained body, made again from the FluidR3_GM notes of its corpus only, for the check that
leaves a SoundFont out (`bench/accuracy.py --split loso --audio-weights FILE`): that check scores the MuseScore_General_Lite
notes, which the package's body heard in pretraining.

The same recipe as `make pretrain` (`pretrain_backbone`: audio_cnn on the 'compact' spectrogram, GM program + pitch, one-cycle at
3e-3, batches of 64, 5% held out, SpecAugment masks, seed 42, bfloat16 steps), on the 4,095 FluidR3_GM notes of the corpus.

    python bench/pretrain_fluid.py --corpus data/nsynth_gm_pretrain --out models/audio_cnn_fluid.pth [--epochs 30] [--threads 1]
"""
import argparse, time
from pathlib import Path
import pandas as pd, torch


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--corpus', default='data/nsynth_gm_pretrain', help="the pretraining corpus (`make pretrain` renders it)")
    p.add_argument('--out', default='models/audio_cnn_fluid.pth')
    p.add_argument('--epochs', type=int, default=30)
    p.add_argument('--threads', type=int, default=None)
    p.add_argument('--font', default='FluidR3_GM', help='the SoundFont whose notes are kept')
    a = p.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    from fastai_audio_nb.pretrain import corpus_mels, pretrain_learner, _corpus_labels, get_pretrain_corpus
    from fastai_audio_nb.spectrogram import SpectrogramConfig
    from fastai_audio_nb.models import audio_cnn, save_audio_body
    from fastai_audio_nb.learner import BF16Training
    path = Path(a.corpus)
    if not (path/'nsynth-train'/'examples.json').exists(): path = get_pretrain_corpus('pretrain', path)
    data = corpus_mels(path, SpectrogramConfig.from_preset('compact'))
    items = _corpus_labels(path)
    font = items.instrument.map(pd.read_csv(path/'nsynth-train'/'instruments.csv').set_index('instrument').soundfont)
    if list(items.note_str)!=data['note_str']: raise SystemExit(f"{path}: the cached spectrograms are not in the order of its notes")
    keep = torch.tensor((font==a.font).values)
    if not keep.any(): raise SystemExit(f"{path}: no notes of {a.font}")
    d = {k:(v[keep] if torch.is_tensor(v) else v) for k,v in data.items()}
    learn = pretrain_learner(d, audio_cnn, bs=64, seed=42)
    t0 = time.perf_counter()
    with learn.no_bar(): learn.fit_one_cycle(a.epochs, 3e-3, cbs=[BF16Training()])
    secs = time.perf_counter()-t0
    meta = dict(arch='audio_cnn', n_in=1, spectrogram=d['spectrogram'], corpus=str(path), soundfonts=[a.font], notes=int(keep.sum()),
                epochs=a.epochs, bs=64, lr=3e-3, seed=42, bf16=True, train_seconds=round(secs, 1),
                task='supervised: GM program (128 classes) + MIDI pitch (128 classes)', stats=list(learn.dls.stats))
    save_audio_body(learn.model[0], a.out, meta)
    print(f"wrote {a.out}: audio_cnn body pretrained on {meta['notes']} notes of {a.font}, {a.epochs} epochs, {secs:.0f} s")

if __name__=='__main__': main()
