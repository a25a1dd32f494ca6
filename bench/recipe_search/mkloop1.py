import sys
from h import *
from loopify import loopify
from fastai_audio_nb.datasets import nsynth_items
torch.set_num_threads(1)
rng = np.random.default_rng(1)
X,y = load_set('data/nsynth_gm_default','train'); it = nsynth_items('data/nsynth_gm_default','train')
fonts = pd.read_csv('data/nsynth_gm_default/nsynth-train/instruments.csv').set_index('instrument').soundfont
Xl = np.stack([loopify(x.numpy(), p, rng) for x,p in zip(X, it.pitch)])
import pandas as pd
df = pd.DataFrame(dict(family=it.instrument_family_str, font=[f+'_loop' for f in it.instrument.map(fonts)], pitch=it.pitch))
torch.save(dict(X=torch.from_numpy(Xl).half(), df=df), 'cache/loop1_default.pt')
print('ok', Xl.shape, np.abs(Xl).max())
