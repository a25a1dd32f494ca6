import argparse
from h import *
from data2 import get_feats
from models import CNN
p = argparse.ArgumentParser()
p.add_argument('--train', default='default'); p.add_argument('--exclude', default='')
p.add_argument('--valid', default='valid'); p.add_argument('--feat', default='mel64_h512')
p.add_argument('--epochs', type=float, default=15); p.add_argument('--samples', type=int, default=0, help='total training samples seen (overrides epochs)')
p.add_argument('--bs', type=int, default=64); p.add_argument('--lr', type=float, default=3e-3)
p.add_argument('--wd', type=float, default=1e-2); p.add_argument('--seed', type=int, default=0)
p.add_argument('--widths', default='16,32,64,128'); p.add_argument('--ls', type=float, default=0.)
p.add_argument('--mixup', type=float, default=0.); p.add_argument('--eq', type=float, default=0.)
p.add_argument('--shift', type=int, default=0); p.add_argument('--mask', type=int, default=0)
p.add_argument('--norm', default='item'); p.add_argument('--threads', type=int, default=1)
p.add_argument('--p', type=float, default=0.3); p.add_argument('--tag', default='')
p.add_argument('--speed', type=float, default=0.); p.add_argument('--lowpass', type=float, default=0.)
p.add_argument('--arch', default='cnn'); p.add_argument('--tcrop', type=int, default=0); p.add_argument('--top_db', type=float, default=0); p.add_argument('--tpool', type=int, default=1)
a = p.parse_args()
torch.set_num_threads(a.threads); torch.manual_seed(a.seed); np.random.seed(a.seed)
def load(specs, exclude):
    S,y,f = [],[],[]
    for s in specs.split(','):
        Si,yi,fi = get_feats(s, a.feat); keep = torch.tensor([x not in exclude for x in fi])
        S.append(Si[keep]); y.append(yi[keep]); f += [x for x,k in zip(fi,keep) if k]
    return torch.cat(S), torch.cat(y), f
excl = set(a.exclude.split(',')) - {''}
def _crop(S):
    S = S[..., :a.tcrop] if a.tcrop else S
    return F.avg_pool1d(S, a.tpool) if a.tpool>1 else S
St,yt,ft = load(a.train, excl); St = _crop(St)
if a.valid.startswith('loso:'):   # leave-one-SoundFont-out: validate on the excluded fonts' notes from the given sets
    Sv,yv,fv = load(a.valid[5:], set()); keep = torch.tensor([x in excl for x in fv]); Sv,yv = Sv[keep],yv[keep]
else: Sv,yv,fv = load(a.valid, set())
Sv = _crop(Sv)
def prep(S):
    D = todb(S)
    if a.top_db: D = torch.maximum(D, D.amax((1,2),keepdim=True)-a.top_db)
    D = (D - D.mean((1,2),keepdim=True))/ D.std((1,2),keepdim=True); return D[:,None]
Dv = prep(Sv)
from specaug import speed_mel, lowpass_mel, mel_freqs
FREQS = mel_freqs(St.shape[1], a.feat)
if a.arch=='resnet':
    from fastai_audio_nb.models import audio_resnet
    model = audio_resnet(c_in=1, n_out=11)
else: model = CNN(11, tuple(int(w) for w in a.widths.split(',')), p=a.p)
opt = torch.optim.AdamW(model.parameters(), lr=a.lr, weight_decay=a.wd)
n = len(St); spe = n//a.bs
steps = (a.samples//a.bs) if a.samples else int(a.epochs*spe)
sched = torch.optim.lr_scheduler.OneCycleLR(opt, a.lr, total_steps=steps, pct_start=0.25)
F_ = St.shape[1]
def augment(x):
    B = x.shape[0]
    if a.eq:
        f = torch.linspace(-1,1,F_); basis = torch.stack([f, f**2-1/3, f**3-0.6*f])
        x = x + ((torch.randn(B,3)*a.eq)@basis)[:,None,:,None]
    if a.shift:
        k = torch.randint(-a.shift, a.shift+1, (B,)); x = torch.stack([torch.roll(xi, int(ki), 1) for xi,ki in zip(x,k)])
    if a.mask:
        for i in range(B):
            f0 = np.random.randint(0,F_-a.mask); x[i,:,f0:f0+np.random.randint(0,a.mask)] = 0
            t0 = np.random.randint(0,x.shape[-1]-2*a.mask); x[i,:,:,t0:t0+np.random.randint(0,2*a.mask)] = 0
    return x
print(f"train {len(St)} valid {len(Dv)} steps {steps}", flush=True)
t0=time.time(); hist=[]; step=0; ep=0
n_evals = 6; eval_at = set(int(steps*(i+1)/n_evals) for i in range(n_evals))
model.train(); tl=0; nl=0
while step < steps:
    perm = torch.randperm(n)
    for i in range(spe):
        if step>=steps: break
        idx = perm[i*a.bs:(i+1)*a.bs]; sb = St[idx]
        if a.speed: sb = speed_mel(sb, FREQS, a.speed)
        if a.lowpass: sb = lowpass_mel(sb, FREQS, a.lowpass)
        xb,yb = augment(prep(sb)), yt[idx]
        if a.mixup:
            lam = np.random.beta(a.mixup,a.mixup); j = torch.randperm(len(xb))
            xb = lam*xb+(1-lam)*xb[j]; out=model(xb)
            loss = lam*F.cross_entropy(out,yb,label_smoothing=a.ls)+(1-lam)*F.cross_entropy(out,yb[j],label_smoothing=a.ls)
        else: loss = F.cross_entropy(model(xb), yb, label_smoothing=a.ls)
        opt.zero_grad(); loss.backward(); opt.step(); sched.step(); tl+=loss.item(); nl+=1; step+=1
        if step in eval_at:
            acc,_ = accuracy_of(model, Dv, yv); model.train()
            hist.append(round(acc,4)); print(f"step {step} loss {tl/nl:.3f} acc {acc:.4f} t {time.time()-t0:.0f}", flush=True); tl=nl=0
acc,P = accuracy_of(model, Dv, yv); import hashlib
key = hashlib.md5(' '.join(sys.argv[1:]).encode()).hexdigest()[:8]
Path('preds').mkdir(exist_ok=True); torch.save(dict(P=P, y=yv, args=vars(a)), f'preds/{key}.pt'); torch.save(model.state_dict(), f'preds/{key}_model.pt')
print(json.dumps(dict(key=key, args=vars(a), final=hist[-1], best=max(hist), hist=hist, secs=round(time.time()-t0))))
