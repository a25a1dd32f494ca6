"Issue 16, exploratory: per family and SoundFont, medians of the share of energy above 4 and 2 kHz, the spectral centroid, the time of the loudest point and the level 1 s and 2.5 s after it.  python timbre_stats.py [SET]"
import json, numpy as np, pandas as pd, soundfile as sf, sys
from pathlib import Path
p = Path(sys.argv[1] if len(sys.argv)>1 else 'data/nsynth_gm_large')
rows = []
for split in ('train', 'valid'):
    ins = pd.read_csv(p/f'nsynth-{split}'/'instruments.csv').set_index('instrument')
    ex = json.loads((p/f'nsynth-{split}'/'examples.json').read_text())
    for k,v in ex.items():
        if v['instrument_family_str'] not in ('guitar','keyboard','vocal','synth_lead','string','organ'): continue
        x,_ = sf.read(p/f'nsynth-{split}'/'audio'/f'{k}.wav')
        X = np.abs(np.fft.rfft(x))**2; f = np.fft.rfftfreq(len(x), 1/16000)
        env = np.sqrt(np.convolve(x**2, np.ones(320)/320, 'same'))[::160]
        pk = env.argmax()
        rows.append(dict(font=ins.loc[v['instrument'],'soundfont'], fam=v['instrument_family_str'], pitch=v['pitch'],
                         hf4=X[f>4000].sum()/X.sum(), hf2=X[f>2000].sum()/X.sum(),
                         cent=(f*X).sum()/X.sum(), t_peak=pk/100, dec1=20*np.log10(env[min(pk+100,len(env)-1)]/env[pk]+1e-9),
                         dec2=20*np.log10(env[min(pk+250,len(env)-1)]/env[pk]+1e-9)))
df = pd.DataFrame(rows)
pd.set_option('display.width', 200)
print(df.groupby(['fam','font'])[['hf4','hf2','cent','t_peak','dec1','dec2']].median().round(3).to_string())
