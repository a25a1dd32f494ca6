"Imitate a small wavetable-like sample library: keep the attack, loop a few periods of the sustain, follow the original envelope"
import numpy as np, torch
def best_loop(x, a, L0, tol=0.03, w=400):
    "loop length near L0 where x[a:a+w] best matches x[a+L:a+L+w] (normalised correlation)"
    lo, hi = max(2, int(L0*(1-tol))-1), int(L0*(1+tol))+2
    ref = x[a:a+w]; best, bl = -2, L0
    for L in range(lo, hi+1):
        seg = x[a+L:a+L+w]
        if len(seg) < w: break
        c = float(np.dot(ref, seg)/(np.linalg.norm(ref)*np.linalg.norm(seg)+1e-12))
        if c > best: best, bl = c, L
    return bl, best
def loopify(x, pitch, rng, sr=16000, att=(0.02, 0.15), periods=(1, 8), win=320):
    "x: (n,) float; pitch: MIDI note"
    n = len(x); f0 = 440*2**((pitch-69)/12); T = sr/f0
    a = int(rng.uniform(*att)*sr)
    k = int(rng.integers(periods[0], periods[1]+1)); L0 = max(2, int(round(k*T)))
    if a+L0+500 >= n: return x.copy()
    L, c = best_loop(x, a, L0)
    if c < 0.9:   # not periodic over a few periods (an ensemble, noise): loop 80-300 ms instead
        k = max(1, int(round(rng.uniform(0.08, 0.3)*sr/T))); L0 = int(round(k*T))
        if a+L0+500 >= n: return x.copy()
        L, c = best_loop(x, a, L0, tol=0.01)
    seg = x[a:a+L].copy()
    cf = min(L//2, 160, a)   # crossfade the loop's end into what precedes its start: a seamless loop
    if cf > 1:
        wv = np.linspace(0, 1, cf); seg[L-cf:] = (1-wv)*seg[L-cf:] + wv*x[a-cf:a]
    y = x.copy()
    y[a:] = np.resize(seg, n-a)
    def env(z): return np.sqrt(np.convolve(z**2, np.ones(win)/win, 'same') + 1e-12)
    g = env(x)/env(y); g[:a] = 1.
    y = y*np.minimum(g, 10.)
    c = min(80, a)
    if c>0:
        wv = np.linspace(0,1,c); y[a:a+c] = (1-wv)*x[a:a+c] + wv*y[a:a+c]
    return y.astype(np.float32)
