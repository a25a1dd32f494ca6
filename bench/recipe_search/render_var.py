"""Exploratory (issue 16): re-render a set's training notes with render-time timbre variation through SoundFont 2.01 NRPNs
(FluidSynth offsets the preset's generators per channel): filter cutoff and resonance, vibrato (CC1); the attack and sustain offsets stay 0
Validation notes are hard-linked unchanged.  python render_var.py SRC DEST [--seed 0]"""
import sys, shutil, subprocess, tempfile, struct, json, argparse, os, time
from pathlib import Path
import numpy as np, pandas as pd
from concurrent.futures import ThreadPoolExecutor
from fastai_audio_nb.datasets import (find_soundfont, _vlq, _slot_ms, _lead_ms, _hold_ms, _cut_ms, _fluidsynth_cmd,
    _resample_kernel, _slot_note, _render_sr, _note_status, _save_note)

GEN = dict(fc=8, q=9, attack=34, sustain=37)

def nrpn(ch, gen, d):
    v = int(np.clip(8192 + d, 0, 16383))
    return [bytes([0xb0|ch, 99, 120]), bytes([0xb0|ch, 98, gen]), bytes([0xb0|ch, 38, v & 127]), bytes([0xb0|ch, 6, v >> 7])]

def write_midi(fn, notes, ch=0):
    ev = [(0, b'\xff\x51\x03' + (500_000).to_bytes(3, 'big'))]
    for i,n in enumerate(notes):
        t = i*_slot_ms
        ev += [(t, bytes([0xb0|ch, 0, 0])), (t, bytes([0xb0|ch, 32, 0])), (t, bytes([0xc0|ch, n['program']])), (t, bytes([0xb0|ch, 1, n['mod']]))]
        for k,g in GEN.items(): ev += [(t, e) for e in nrpn(ch, g, n[k])]
        ev += [(t+_lead_ms, bytes([0x90|ch, n['pitch'], n['velocity']])), (t+_lead_ms+_hold_ms, bytes([0x80|ch, n['pitch'], 64])),
               (t+_cut_ms, bytes([0xb0|ch, 120, 0])), (t+_cut_ms, bytes([0xb0|ch, 121, 0]))]
    ev.append((len(notes)*_slot_ms, b'\xff\x2f\x00'))
    trk,last = bytearray(),0
    for t,e in ev: trk += _vlq(t-last) + e; last = t
    Path(fn).write_bytes(b'MThd' + struct.pack('>IHHH', 6, 0, 1, 500) + b'MTrk' + struct.pack('>I', len(trk)) + bytes(trk))

def render(sf_path, notes, gain=0.5):
    (h,w),nb = _resample_kernel(),_slot_ms*_render_sr//1000*8
    with tempfile.TemporaryDirectory() as d:
        midi = Path(d)/'n.mid'; write_midi(midi, notes)
        p = subprocess.Popen(_fluidsynth_cmd(sf_path, midi, gain), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        out = [_slot_note(p.stdout.read(nb), h, w) for _ in notes]
        p.stdout.read(); p.wait(); return out

def draw(rng, n, strength=1.):
    "per-note generator offsets in NRPN units (fc: 2 cents, q: cB, attack: 2 timecents, sustain: cB)"
    on = lambda p: rng.random(n) < p
    return dict(fc=np.where(on(0.5), rng.uniform(-3600, 0, n)/2, 0)*strength, q=np.where(on(0.3), rng.uniform(0, 150, n), 0)*strength,
                attack=np.zeros(n), sustain=np.zeros(n),
                mod=np.where(on(0.25), rng.integers(20, 100, n), 0))

def main():
    a = argparse.ArgumentParser(); a.add_argument('src'); a.add_argument('dest'); a.add_argument('--seed', type=int, default=0)
    a.add_argument('--strength', type=float, default=1.); a.add_argument('--workers', type=int, default=2)
    a = a.parse_args(); src, dest = Path(a.src), Path(a.dest)
    if not dest.exists(): shutil.copytree(src, dest, copy_function=os.link)
    tr = dest/'nsynth-train'
    ex = json.loads((tr/'examples.json').read_text()); ins = pd.read_csv(tr/'instruments.csv').set_index('instrument')
    df = pd.DataFrame([dict(key=k, instrument=v['instrument'], pitch=v['pitch'], velocity=v['velocity']) for k,v in ex.items()])
    df = df.join(ins[['soundfont', 'program']], on='instrument')
    rng = np.random.default_rng(a.seed)
    for k,v in draw(rng, len(df), a.strength).items(): df[k] = np.round(v).astype(int)
    t0 = time.time(); stats = dict(ok=0, silent=0, clipped=0)
    def job(g):
        sf, g = g
        xs = render(find_soundfont(sf), g.to_dict('records'))
        res = []
        for r,x in zip(g.itertuples(), xs):
            st,_ = _note_status(x)
            fn = tr/'audio'/f'{r.key}.wav'
            if st=='ok':
                tmp = fn.with_suffix('.tmp.wav'); _save_note(tmp, x); os.replace(tmp, fn)
            res.append(st)
        return res
    groups = [(sf, g) for sf,g0 in df.groupby('soundfont') for g in (g0.iloc[i::a.workers] for i in range(a.workers))]
    with ThreadPoolExecutor(a.workers) as ex_:
        for res in ex_.map(job, groups):
            for s in res: stats[s] += 1
    print(f"{len(df)} notes in {time.time()-t0:.0f} s: {stats} (silent/clipped keep the plain render)")
    df.to_csv(dest/'variation.csv', index=False)

if __name__=='__main__': main()
