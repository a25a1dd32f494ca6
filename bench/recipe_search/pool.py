"Render a training pool of notes with render-time variation: fonts, variation banks, CC91/93 sends, vibrato, detune."
import sys, time, struct, tempfile, subprocess, shutil, argparse
from pathlib import Path
import numpy as np, pandas as pd, torch
from fastai_audio_nb.datasets import (find_soundfont, soundfont_presets, gm_programs, nsynth_families, _vlq,
    _resample_kernel, _slot_note, _render_sr, _slot_ms, _lead_ms, _hold_ms, _cut_ms, nsynth_samples)

def write_midi(fn, notes):
    "notes: dicts with bank, program, pitch, velocity, rev, cho, mod, bend, hold_ms"
    ev = [(0, b'\xff\x51\x03' + (500_000).to_bytes(3, 'big'))]
    for i,n in enumerate(notes):
        t, ch = i*_slot_ms, 0
        ev += [(t, bytes([0xb0|ch, 121, 0])), (t, bytes([0xb0|ch, 0, n['bank']])), (t, bytes([0xb0|ch, 32, 0])), (t, bytes([0xc0|ch, n['program']])),
               (t, bytes([0xb0|ch, 91, n['rev']])), (t, bytes([0xb0|ch, 93, n['cho']])), (t, bytes([0xb0|ch, 1, n['mod']])),
               (t, bytes([0xe0|ch, n['bend'] & 0x7f, n['bend'] >> 7])),
               (t+_lead_ms, bytes([0x90|ch, n['pitch'], n['velocity']])), (t+_lead_ms+n['hold_ms'], bytes([0x80|ch, n['pitch'], 64])),
               (t+_cut_ms, bytes([0xb0|ch, 120, 0]))]
    ev.append((len(notes)*_slot_ms, b'\xff\x2f\x00'))
    trk,last = bytearray(),0
    for t,e in sorted(ev, key=lambda o: o[0]): trk += _vlq(t-last) + e; last = t
    Path(fn).write_bytes(b'MThd' + struct.pack('>IHHH', 6, 0, 1, 500) + b'MTrk' + struct.pack('>I', len(trk)) + bytes(trk))

def render(sf_path, notes, fx=True, gain=0.5):
    (h,w),nb = _resample_kernel(),_slot_ms*_render_sr//1000*8
    with tempfile.TemporaryDirectory() as d:
        midi = Path(d)/'n.mid'; write_midi(midi, notes)
        cmd = [shutil.which('fluidsynth'), '-n', '-i', '-q', '-R', '1' if fx else '0', '-C', '1' if fx else '0', '-g', str(gain), '-r', str(_render_sr),
               '-o', 'audio.period-size=64', '-o', 'synth.dynamic-sample-loading=1', '-T', 'raw', '-O', 'float', '-E', 'little', '-F', '-', str(sf_path), str(midi)]
        p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        out = [_slot_note(p.stdout.read(nb), h, w) for i in range(len(notes))]
        p.stdout.read(); p.wait(); return out

def plan(font, k_per_family, seed, variations=True, fx=True):
    "notes for one font: k per family, spread over its melodic presets (program<88) of bank 0 (and variation banks)"
    rng = np.random.default_rng(seed)
    path = find_soundfont(font); pres = soundfont_presets(path)
    progs = gm_programs().set_index('program')
    rows = []
    for (bank,prog),(name,keys) in sorted(pres.items()):
        if prog>=88 or bank>=128 or prog not in progs.index or (bank!=0 and not variations): continue
        r = progs.loc[prog]
        pitches = [p for p in range(r.pitch_min, r.pitch_max+1) if p in keys]
        if not pitches: continue
        rows.append(dict(font=font, bank=bank, program=prog, preset=name, family=r.instrument_family_str, pitches=pitches))
    pre = pd.DataFrame(rows); rows = []
    for fam,g in pre.groupby('family'):
        for j,i in enumerate(np.resize(rng.permutation(len(g)), k_per_family)):
            r = g.iloc[i]; pitches = r.pitches
            rows.append(dict(font=font, bank=r.bank, program=r.program, preset=r.preset, family=fam,
                pitch=int(rng.choice(pitches)), velocity=int(rng.integers(40,128)),
                rev=int(rng.choice([0,0,rng.integers(0,128)])) if fx else 0, cho=int(rng.choice([0,0,rng.integers(0,128)])) if fx else 0,
                mod=int(rng.choice([0,0,0,rng.integers(0,128)])) if fx else 0,
                bend=int(8192 + (rng.integers(-400,400) if fx else 0)), hold_ms=int(_hold_ms if not fx else rng.choice([_hold_ms, _hold_ms, rng.integers(500,_hold_ms)]))))
    return pd.DataFrame(rows)

if __name__=='__main__':
    a = argparse.ArgumentParser(); a.add_argument('font'); a.add_argument('--k', type=int, default=4); a.add_argument('--seed', type=int, default=0)
    a.add_argument('--novar', action='store_true'); a.add_argument('--nofx', action='store_true'); a.add_argument('--out')
    a = a.parse_args()
    df = plan(a.font, a.k, a.seed, not a.novar, not a.nofx)
    t = time.time(); xs = render(find_soundfont(a.font), df.to_dict('records'), fx=not a.nofx)
    X = np.stack(xs); peak = np.abs(X).max(1)
    ok = (peak>1e-3)&(peak<0.999)
    print(a.font, len(df), 'ok', ok.sum(), f"{time.time()-t:.0f} s", flush=True)
    df = df[ok].reset_index(drop=True)
    torch.save(dict(X=torch.from_numpy(X[ok]).half(), df=df), a.out or f'cache/pool_{a.font}_k{a.k}_s{a.seed}{"_novar" if a.novar else ""}{"_nofx" if a.nofx else ""}.pt')
