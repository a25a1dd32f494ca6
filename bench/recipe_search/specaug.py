import torch, math, torch.nn.functional as F
from fastai_audio_nb.spectrogram import hz_to_mel, mel_to_hz
def mel_freqs(n_mels, feat, f_min=20., f_max=8000.):
    "centre frequencies of the bins"
    if feat.startswith('log'):
        return torch.logspace(math.log10(50.), math.log10(8000.), n_mels+2)[1:-1]
    m = torch.linspace(float(hz_to_mel(f_min)), float(hz_to_mel(f_max)), n_mels+2)[1:-1]
    return torch.tensor([float(mel_to_hz(float(v))) for v in m])
def speed_mel(S, freqs, s):
    "resample (speed change by r) approximated on power spectrograms (B,F,T): frequencies times r, time divided by r"
    B,Fn,T = S.shape
    r = torch.exp(torch.empty(B).uniform_(-math.log(1+s), math.log(1+s)))
    idx = torch.arange(Fn, dtype=torch.float32)
    src_f = freqs[None,:]/r[:,None]                      # the frequency that lands on each bin
    fi = torch.from_numpy(__import__('numpy').interp(src_f.numpy().ravel(), freqs.numpy(), idx.numpy())).float().view(B,Fn)
    fi = torch.where(src_f < freqs[0], torch.full_like(fi, -1.), fi)
    gy = fi/(Fn-1)*2-1                                   # (B,F)
    t = torch.arange(T, dtype=torch.float32)
    gx = (t[None,:]*r[:,None])/(T-1)*2-1                 # time: a faster clip ends sooner
    grid = torch.stack([gx[:,None,:].expand(B,Fn,T), gy[:,:,None].expand(B,Fn,T)], -1)
    out = F.grid_sample(S[:,None], grid, mode='bilinear', padding_mode='zeros', align_corners=True)[:,0]
    return out.clamp_min(0)
def lowpass_mel(S, freqs, p, lo=2500., hi=8000.):
    "with probability p per item: a low-pass at a random cutoff, 24-72 dB/octave"
    B = S.shape[0]
    do = torch.rand(B) < p
    fc = torch.exp(torch.empty(B).uniform_(math.log(lo), math.log(hi)))
    slope = torch.empty(B).uniform_(24, 72)
    g_db = -slope[:,None]*torch.clamp(torch.log2(freqs[None,:]/fc[:,None]), min=0)
    g = torch.where(do[:,None], 10**(g_db/10), torch.ones_like(g_db))
    return S*g[:,:,None]
