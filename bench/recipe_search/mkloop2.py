import sys
from h import *
from loopify import loopify
torch.set_num_threads(1)
src, seed = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(seed)
d = torch.load(f'cache/{src}.pt', weights_only=False)
Xl = np.stack([loopify(x.float().numpy(), p, rng) for x,p in zip(d['X'], d['df'].pitch)])
df = d['df'].copy(); df['font'] = df.font + '_loop'
torch.save(dict(X=torch.from_numpy(Xl).half(), df=df), f'cache/loop{seed}_{src}.pt')
print(src, Xl.shape, flush=True)
