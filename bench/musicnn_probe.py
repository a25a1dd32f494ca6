"""Issue 16, exploratory: a body pretrained on real music (musicnn, Pons & Serra 2019, trained on MagnaTagATune's tags,
instruments among them), frozen, against and beside the demo's model trained from scratch.

The `musicnn` package on PyPI carries its TensorFlow checkpoints (MTT_musicnn: 0.8 M parameters). This script:
1. converts MTT_musicnn's checkpoint to an npz once (`--weights`; the conversion alone needs `musicnn`, `tensorflow-cpu`
   and `tf-keras` in some environment: `python bench/musicnn_probe.py --dump OUT.npz`);
2. computes, with a torch port of musicnn's body (`Musicnn` below; parity with TensorFlow's features checked on three
   notes by `--parity FEATURES.npz`), each note's mid-end features pooled over time (max and mean of 753, as musicnn's
   back-end) and its penultimate layer (200): the input is musicnn's own, librosa's 96-band mel at 16 kHz (n_fft 512,
   hop 256) as `log10(1 + 10000 mel)`, the whole 4 s note (251 frames; musicnn is fully convolutional in time);
3. fits a logistic regression on the training notes' features (standardised; its C chosen by leaving a SoundFont out:
   fit on FluidR3_GM, scored on MuseScore_General_Lite), then scores the TimGM6mb notes;
4. for each `model.pkl` given (from `make demo`), fuses its probabilities with the probe's (the mean of their logs,
   equal weights, fixed beforehand) and scores the fusion; `--fractions 0.25 0.5 1` does it again with the probe fitted
   on a random part of the training notes (fewer notes' features to compute).

    python bench/musicnn_probe.py --weights W.npz --data data/nsynth_gm_large [--models a/model.pkl ...] [--fractions F ...] [--append bench/RESULTS.md]
"""
import argparse, sys, time, re
from pathlib import Path
import numpy as np, pandas as pd, torch, torch.nn as nn, torch.nn.functional as F
sys.path.insert(0, str(Path(__file__).parent))
from benchutil import machine, append_section

def dump_weights(out:Path):
    "MTT_musicnn's TensorFlow checkpoint (in the `musicnn` package) as an npz of its variables (needs tensorflow)"
    import os, tensorflow as tf, musicnn
    r = tf.compat.v1.train.NewCheckpointReader(os.path.dirname(musicnn.__file__)+'/MTT_musicnn/')
    np.savez(out, **{k: r.get_tensor(k) for k in sorted(r.get_variable_to_shape_map()) if not re.search(r'Adam|beta[12]_power', k)})

def _bn(n): return nn.BatchNorm2d(n, eps=1e-3)   # TensorFlow's batch normalisation epsilon

class Musicnn(nn.Module):
    "musicnn's body: its input `(bs, frames, 96)` -> max and mean over time of the mid-end's 753 features (interleaved, as its back-end flattens them), and the penultimate layer (200)"
    def __init__(self, filt:float=1.6, midend:int=64, n_mels:int=96, units:int=200):
        super().__init__()
        nt, ns = int(filt*128), int(filt*32)
        self.bn_in = _bn(1)
        self.t74, self.bn74 = nn.Conv2d(1, nt, (7, int(0.4*n_mels))), _bn(nt)
        self.t77, self.bn77 = nn.Conv2d(1, nt, (7, int(0.7*n_mels))), _bn(nt)
        self.s = nn.ModuleList([nn.Conv1d(1, ns, k) for k in (128, 64, 32)])   # musicnn's (k, 1) kernels: along time, each band alike
        self.sbn = nn.ModuleList([nn.BatchNorm1d(ns, eps=1e-3) for _ in range(3)])
        nf = 2*nt + 3*ns
        self.m = nn.ModuleList([nn.Conv1d(c, midend, 7, padding=3) for c in (nf, midend, midend)])   # musicnn's (7, all features) kernels
        self.mbn = nn.ModuleList([nn.BatchNorm1d(midend, eps=1e-3) for _ in range(3)])
        self.bn_pool, self.dense, self.bn_dense = nn.BatchNorm1d(2*(nf+3*midend), eps=1e-3), nn.Linear(2*(nf+3*midend), units), nn.BatchNorm1d(units, eps=1e-3)

    def forward(self, x):
        bs, t, nm = x.shape
        x = self.bn_in(x[:, None])
        xp = F.pad(x, (0, 0, 3, 3))
        out = [self.bn74(F.relu(self.t74(xp))).amax(3), self.bn77(F.relu(self.t77(xp))).amax(3)]   # (bs, 204, T) each
        xb = x[:, 0].transpose(1, 2).reshape(bs*nm, 1, t)                                            # each band's frames
        for conv, bn in zip(self.s, self.sbn):
            k = conv.kernel_size[0]; lo = (k-1)//2                                                   # TensorFlow's 'same' padding
            y = F.relu(conv(F.pad(xb, (lo, k-1-lo)))).view(bs, nm, -1, t).transpose(1, 2)               # (bs, 51, bands, T)
            out.append(bn(y.reshape(bs, -1, nm*t)).view(bs, -1, nm, t).amax(2))                       # normalised, then the most over the bands
        f = torch.cat(out, 1)                                                                        # (bs, 561, T)
        c1 = self.mbn[0](F.relu(self.m[0](f)))
        c2 = self.mbn[1](F.relu(self.m[1](c1))) + c1
        c3 = self.mbn[2](F.relu(self.m[2](c2))) + c2
        mid = torch.cat([f, c1, c2, c3], 1)                                                           # (bs, 753, T)
        pool = torch.stack([mid.amax(2), mid.mean(2)], 2).flatten(1)
        return pool, self.bn_dense(F.relu(self.dense(self.bn_pool(pool))))

def load_musicnn(fn)->Musicnn:
    "`Musicnn` with the weights of `dump_weights`'s npz"
    w, m = {k: torch.from_numpy(v) for k, v in np.load(fn).items()}, Musicnn()
    def conv(c, n):
        k = w[f'{n}/kernel']                                     # TensorFlow: (kh, kw, in, out)
        c.weight.data.copy_(k.permute(3, 2, 0, 1) if c.weight.ndim==4 else k[:, :, 0].permute(2, 1, 0) if k.shape[1]>1 else k[:, 0].permute(2, 1, 0))
        c.bias.data.copy_(w[f'{n}/bias'])
    def bn(b, n):
        for a, k in (('weight', 'gamma'), ('bias', 'beta'), ('running_mean', 'moving_mean'), ('running_var', 'moving_variance')): getattr(b, a).data.copy_(w[f'{n}/{k}'])
    names = lambda p, i: p if i==0 else f'{p}_{i}'
    bn(m.bn_in, 'batch_normalization')
    for i, (c, b) in enumerate([(m.t74, m.bn74), (m.t77, m.bn77), *zip(m.s, m.sbn), *zip(m.m, m.mbn)]): conv(c, names('conv2d', i)); bn(b, names('batch_normalization', i+1))
    bn(m.bn_pool, 'batch_normalization_9'); bn(m.bn_dense, 'batch_normalization_10')
    m.dense.weight.data.copy_(w['dense/kernel'].T); m.dense.bias.data.copy_(w['dense/bias'])
    return m.eval()

def musicnn_input(fn, secs:float=4.)->np.ndarray:
    "musicnn's input for an audio file: librosa's mel (16 kHz, n_fft 512, hop 256, 96 bands), float16, as log10(1 + 10000 mel)"
    import librosa, soundfile as sf
    a, sr = sf.read(fn, dtype='float32', always_2d=True); a = a.mean(1)
    if sr!=16000: a = librosa.resample(a, orig_sr=sr, target_sr=16000)
    n = int(secs*16000); a = np.pad(a[:n], (0, max(0, n-len(a))))
    m = librosa.feature.melspectrogram(y=a, sr=16000, hop_length=256, n_fft=512, n_mels=96).T
    return np.log10(10000*m.astype(np.float16).astype(np.float32) + 1)

def features(m:Musicnn, files:list, bs:int=32)->tuple:
    "Pooled and penultimate features of `files`, and the seconds they took"
    out, t0 = [], time.perf_counter()
    with torch.no_grad():
        for i in range(0, len(files), bs):
            p, q = m(torch.from_numpy(np.stack([musicnn_input(f) for f in files[i:i+bs]])))
            out.append(torch.cat([p, q], 1).numpy())
    return np.concatenate(out), time.perf_counter()-t0

def probe(X, y, C:float):
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler
    from sklearn.pipeline import make_pipeline
    return make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=3000)).fit(X, y)

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--weights', default=None); p.add_argument('--dump', default=None)
    p.add_argument('--data', default='data/nsynth_gm_large'); p.add_argument('--models', nargs='*', default=[])
    p.add_argument('--threads', type=int, default=None); p.add_argument('--append', default=None)
    p.add_argument('--fractions', nargs='+', type=float, default=[1.], help="parts of the training notes to fit the probe on (a random draw, seed 0)")
    p.add_argument('--parity', default=None, help="an npz of TensorFlow's features (names, max, mean) of validation notes: the port's largest difference")
    a = p.parse_args()
    if a.dump: return dump_weights(a.dump)
    if a.threads: torch.set_num_threads(a.threads)
    if not a.weights: p.error("--weights W.npz is needed: MTT_musicnn's variables (make it once with --dump W.npz where tensorflow and musicnn are installed)")
    m, path = load_musicnn(a.weights), Path(a.data)
    if a.parity:
        ref = np.load(a.parity); idx = [0, 100, 500]
        with torch.no_grad(): pool, pen = m(torch.from_numpy(np.stack([musicnn_input(path/'nsynth-valid/audio'/f'{ref["names"][i]}.wav') for i in idx])))
        pool = pool.view(len(idx), -1, 2).numpy()
        return print('largest difference: max', np.abs(pool[..., 0]-ref['max'][idx]).max(), 'mean', np.abs(pool[..., 1]-ref['mean'][idx]).max(), 'of values up to',
                     np.abs(ref['max'][idx]).max(), '; penultimate', np.abs(pen.numpy()-ref['pen'][idx]).max(), 'of values up to', np.abs(ref['pen'][idx]).max())
    desc = machine('cpu'); print(desc, flush=True)
    tr = pd.read_csv(path/'nsynth-train/instruments.csv')
    files = {s: sorted((path/f'nsynth-{s}/audio').glob('*.wav')) for s in ('train', 'valid')}
    fam = {s: np.array([re.match(r'(.+?)_(acoustic|electronic|synthetic)_\d+-', f.name)[1] for f in fs]) for s, fs in files.items()}
    font_of = dict(zip(tr.instrument_str, tr.soundfont))
    font = np.array([font_of[f.name.split('-')[0]] for f in files['train']])
    (Xt, st), (Xv, sv) = features(m, files['train']), features(m, files['valid'])
    print(f"features: {st:.0f} s for {len(Xt)} training notes, {sv:.0f} s for {len(Xv)} validation notes", flush=True)
    a_ = font=='FluidR3_GM'
    loso = {C: float((probe(Xt[a_], fam['train'][a_], C).predict(Xt[~a_])==fam['train'][~a_]).mean()) for C in (0.003, 0.01, 0.03, 0.1, 1.)}
    C = max(loso, key=loso.get)
    rows = [f"| C (chosen on FluidR3_GM -> MuseScore_General_Lite) | " + ', '.join(f'{c:g}: {v:.3f}' for c, v in loso.items()) + " |"]
    demo = []   # each model's probabilities of the validation notes, in `files['valid']`'s order
    if a.models:
        from fastai_audio_nb.learner import load_model, predict_files
        names = [f.name for f in files['valid']]
        for mf in a.models:
            df = predict_files(load_model(mf), files['valid'], with_probs=True)
            o = np.argsort([names.index(Path(f).name) for f in df.file])
            demo.append((mf, df[[c for c in df.columns if c.startswith('prob_')]].iloc[o]))
    rng = np.random.default_rng(0)
    for frac in sorted(a.fractions, reverse=True):   # the probe on a random part of the training notes (seed 0): its features' cost
        idx = np.sort(rng.permutation(len(Xt))[:round(frac*len(Xt))])
        clf = probe(Xt[idx], fam['train'][idx], C); P = clf.predict_proba(Xv); classes = np.array(clf.classes_)
        acc = lambda q: float((classes[q.argmax(1)]==fam['valid']).mean())
        rows.append(f"| the probe on TimGM6mb, {len(idx)} training notes (C={C:g}) | **{acc(P):.3f}** |")
        if not demo: continue
        res = [(acc(Q), acc(np.log(Q+1e-6) + np.log(P+1e-6))) for Q in [q[[f'prob_{c}' for c in classes]].values for _, q in demo]]
        if frac==max(a.fractions): rows += [f"| {mf}: as exported, fused with the probe (mean of the log-probabilities) | {r0:.3f}, {r1:.3f} ({100*(r1-r0):+.1f}) |" for (mf, _), (r0, r1) in zip(demo, res)]
        r = np.array(res); d = 100*(r[:, 1]-r[:, 0])
        rows.append(f"| **{len(r)} models, {len(idx)} training notes for the probe: as exported, fused** (sd) | **{r[:, 0].mean():.3f}** ({r[:, 0].std(ddof=1) if len(r)>1 else 0:.3f}), "
                    f"**{r[:, 1].mean():.3f}** ({r[:, 1].std(ddof=1) if len(r)>1 else 0:.3f}): **{d.mean():+.1f}** ({d.min():+.1f} to {d.max():+.1f}) |")
        print(rows[-1], flush=True)
    txt = '\n'.join(["| | |", "|---|---|"] + rows)
    print(txt)
    if a.append:
        append_section(a.append, f"\n## A body pretrained on music, frozen (bench/musicnn_probe.py, exploratory, issue 16), {time.strftime('%Y-%m-%d %H:%M')}\n\n"
                       f"{desc}. musicnn (MTT) features of the large set's notes ({st:.0f} s for {len(Xt)} training notes, {sv:.0f} s for {len(Xv)} validation notes, torch, no gradients), "
                       f"a logistic regression on them, and its fusion with `make demo` models.\n\n{txt}\n")

if __name__=='__main__': main()
