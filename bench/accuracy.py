"""Issue 16: the demo's recipe against the alternatives, side by side: the same data, the same epochs, several seeds.

Every run trains from scratch on a rendered set's training notes (`--size default`: `data/nsynth_gm_default`, FluidR3_GM
and MuseScore_General_Lite; `--size large --data data/nsynth_gm_large`: the demo's, twice as many) and is scored on
instruments never heard in training:

- `timgm`: the demo's validation, the TimGM6mb notes (704 notes, 11 families);
- `loso`: leave one SoundFont out: train on the notes of the fonts that are not MuseScore_General (FluidR3_GM only, by
  default), validate on the MuseScore_General_Lite notes (a second library the model never heard, and a check that a
  recipe does not only fit TimGM6mb).

Recipes (`demo_recipe` in `fastai_audio_nb.training` with some entries changed):
  study        the demo before issue 16: resnet18 from scratch on the study's spectrogram (40 bands), 3 epochs
  audio_resnet the compact ResNet on the 'compact' spectrogram, the recipe's epochs
  train_default `fastai-audio train`'s defaults until 2026-12-06: audio_resnet on the study's spectrogram, no loops
  resnet_study_loops  the same with the demo's `LoopSustain`
  transpose    `demo_recipe` + a sampler's transposition (`Transpose`, below, exploratory): each note played faster or
               slower, pitch and formants together, as a small library stretches one sample over many keys
  no_loops     `demo_recipe` without `LoopSustain` (audio_cnn on 'compact')
  fp32         `demo_recipe` with its training steps in float32 (no `BF16Training`)
  short        `demo_recipe` on the first 2 s of each note instead of all 4 s (half the frames: a shorter step, more epochs a minute)
  loops50, loops75, loops100   float32 steps, `LoopSustain` on half, three quarters, all of the training notes, and not
               on the validation notes (`loops50`: the demo's recipe until 2026-12-06)
  loop_tight   `loops50` with shorter attacks (0.01 to 0.06 s) and loops of 1 or 2 periods, as TimGM6mb's samples
  loops75_tight  the demo's recipe in float32 with those shorter attacks and loops
  lowpass      `LowPass` on half of the training notes, cutoff drawn log-uniformly in 1.5-7 kHz, as a small library's
               samples recorded at low rates (TimGM6mb: 12 to 22 kHz for a third of its samples); in `demo_recipe` since
               2026-12-06, so now the same as `demo`
  no_lowpass   `demo_recipe` without its `LowPass` (the demo's recipe until 2026-12-06)
  wd           `demo_recipe` with a weight decay of 0.1 instead of fastai's 0.01 (AdamW's, decoupled): a stronger pull
               against memorising the training samples
  lr6, lr15    `demo_recipe` at twice and half its learning rate (6e-3, 1.5e-3 instead of 3e-3, one-cycle)
  freq_mixstyle  `demo_recipe` + Freq-MixStyle (below, exploratory; Schmid et al., CP-JKU's DCASE 2022 systems, for
               recordings of devices never heard): on half the training spectrograms (dB), each mel band's mean and
               spread over the frames mixed with another note's of the batch, by a Beta(0.3, 0.3) weight

  programs, programs1  `demo_recipe` trained on the GM program of each note (86 classes, exploratory) instead of its family:
               the family's probability is the sum of its programs'; the loss is the family's cross-entropy plus 0.5 (1 for
               `programs1`) times the program's. Finer labels, so that the body learns what tells a nylon guitar from a
               steel one, not only what tells the training fonts' guitars from their pianos; scored on the family
  font_batches `demo_recipe` with each training batch drawn from the notes of one SoundFont (exploratory; the domain-
               specific BatchNorm of Chang et al. 2019, here by batching): the BatchNorm layers learn on each library's own
               statistics, the features they pass on are each library centred on itself, as `adapt_batchnorm` (`--adabn`)
               centres a library never heard on itself

The recipes that describe a past demo or `fastai-audio train` (`study`, `train_default`, `loops50`, `loops75`, `loops100`,
`loop_tight`, `loops75_tight`) set `lowpass=None` and `pretrained=False`, as they were measured; the others are
`demo_recipe` with a change, so they follow it (with `LowPass` since 2026-12-06, and from the package's audio-pretrained
body since the evening of 2026-12-06; their figures in bench/RESULTS.md before then are without).
  attack       `demo_recipe` + `FastAttack` (below, exploratory) on half of the training notes: each note reaches its
               loudest point 1.5 to 4 times sooner (its loudness envelope warped), as TimGM6mb's strings, voices and leads
               (their loudest point at 0.1 to 0.3 s, against 0.3 to 1.1 s in the training fonts)
  pcen         `demo_recipe` with per-channel energy normalisation (PCEN, Wang et al. 2017; below, exploratory; librosa's
               defaults) in place of the dB: each mel band's magnitude divided by its own smoothed past (0.4 s), then
               compressed; an automatic gain per band, so a library's loudness and colouring count less
  audio_pre    `demo_recipe` started from an audio-pretrained body (`--audio-weights FILE`, else the package's: `packaged_weights`,
               `make pretrain`: audio_cnn on 'compact', GM program and pitch of 128 programs), every layer trained from the first
               epoch; the demo's recipe since 2026-12-06 (its `pretrained='audio'`), so now the same as `demo`
  train_audio_cnn  `fastai-audio train`'s defaults since 2026-12-06: audio_cnn on 'compact' from the package's
               audio-pretrained body (`--audio-weights` for loso), every layer trained from the first epoch, without the
               demo's augmentations (no loops, no low-pass): against `train_default`, which it replaced
  scratch      `demo_recipe` from scratch (`pretrained=False`): the demo's recipe until 2026-12-06
  body_lr      `demo_recipe` with the body's layers at a tenth of the head's learning rate (fastai's discriminative rates,
               `slice(3e-4, 3e-3)`): the audio-pretrained body's features kept closer to what it learned
  label_smooth `demo_recipe` with label smoothing (fastai's `LabelSmoothingCrossEntropyFlat`, eps 0.1): a softer target, less
               confidence on the training libraries' samples
  reverb       `demo_recipe` + the library's `Reverb` (`fastai_audio_nb.acoustics`, its defaults) on half of the training notes,
               after the loops: each convolved with one of 64 simulated rooms (`room_irs`, RT60 0.1 to 1 s), wet share 0.5 to 1,
               loudness kept; the libraries' own rooms (a dry small library, a wetter large one) count less
  loops50_both `demo_recipe` with half the training notes looped (`loops=0.5`) instead of three in four: the loops were chosen when
               the model heard the validation notes looped only; now it hears each note both as it is and looped
  masks        `demo_recipe` + a frequency and a time mask (`FreqMask`, `TimeMask`, their defaults) on the training spectrograms
  masks_scratch  `masks` from scratch (`pretrained=False`), against `scratch`: for the library left out
  reverb_scratch  `reverb` from scratch (`pretrained=False`), against `scratch`: for the library left out without a body
               pretrained on FluidR3_GM alone
  consist      `demo_recipe` with each training note's two views and a consistency loss of AugMix's weight 12 (Hendrycks et
               al. 2020). `demo_recipe['consistency']` (None in the demo; `recipe_pairs`) trains on each note's two views: each
               batch holds 32 notes twice, as they are and looped (`LoopSustain(pairs=True)`), both with the `LowPass` draws;
               the loss (`ConsistencyLoss`) is the two views' cross-entropy plus the weight times the Jensen-Shannon divergence
               of their probabilities. Each step holds 64 spectrograms, as before, so a recipe that pairs the views trains half
               `--epochs`: the same steps, the same compute
  no_consist   `demo_recipe` without the pairs (`consistency=None`): each training note heard once, looped or not (the same as
               `demo`: the pairs were measured in the demo on 2026-12-07 and not adopted)
  consist_scratch  `consist` from scratch (`pretrained=False`), against `scratch`: for the library left out
  consist1, pairs  the weight 1 (measured in `make demo` too, not adopted), and 0 (the two views as two
               training rows, no consistency loss: what the pairing alone does); `consist1_scratch` from scratch, for the library left out;
               `consist1_masks`: `consist1` + `masks`
  freeze1, freeze2  `demo_recipe` with the body's first block (first two blocks) kept as the package's body has them
               (`freeze_blocks`): no gradient for their weights and BatchNorm's affine parameters (their statistics
               still follow the batches), so the backward pass stops above them and a step is faster; the rest trains
               (measured, not adopted: the demo trains every layer)
  az, az_scratch  `demo_recipe` on frames zoomed on each note's attack (`_attack_zoom_cls`, exploratory: half the frames
               every 4 ms over the first 0.25 s with a 16 ms window, the others spread over the rest), from the package's
               body (pretrained on even frames) or from scratch (against `scratch`)
  demo         `demo_recipe` as it is: audio_cnn on 'compact' from the package's body, `LoopSustain` on three training notes in
               four and on every validation note (`loop_infer='both'`: each validation note heard as it is and looped, the
               model's two outputs averaged by `FoldViews`), `LowPass` on half of the training notes, the training steps in
               bfloat16 (`BF16Training`; the demo itself keeps it only where it is faster)

Every run with `LoopSustain` is also scored both ways, whatever its recipe: the validation notes as they are (`plain`)
and each looped the same way (`infer`, `LoopSustain(infer=True)`), and the two passes' probabilities averaged (`both`;
`accuracy` is the recipe's own: for `loop_infer='both'`, the two passes' logits averaged by `FoldViews`). `--adabn` also scores each run with its BatchNorm statistics fitted to the validation notes (`adapt_batchnorm`, as
`predict_files(adapt=True)` and `fastai-audio predict --adapt` do: their audio, not their labels). `--tta` adds fastai's test-time augmentation
(`Learner.tta`: the training augmentations, 4 passes; `tta0.25`: mixed 3:1 with the plain pass); `--save DIR` keeps
each run's weights.

    python bench/accuracy.py --recipes study no_loops demo --seeds 0 1 2 [--epochs 15] [--split timgm loso] [--append bench/RESULTS.md]

`--fonts A B ...` renders the set (into a `--data` folder of its own) from other training SoundFonts than the library's
(`nsynth_gm_soundfonts['train']`), e.g. all the allowed ones with General MIDI presets.
"""
import argparse, sys, time, json, statistics
from pathlib import Path
import pandas as pd, torch
sys.path.insert(0, str(Path(__file__).parent))
from benchutil import machine, append_section

scratch = dict(pretrained=False)   # the recipes of the demos before 2026-12-06 trained from scratch
past = dict(consistency=None, domains=None, head_init_scale=1.)   # the recipes of past demos heard each training note once (no `ConsistencyLoss`) and knew no SoundFont (no `domain_adversarial`), whatever `demo_recipe` says
recipes = dict(study=dict(arch='resnet18', spec='nsynth_study', epochs=3, lowpass=None, **scratch, **past),
               audio_resnet=dict(arch='audio_resnet', **scratch),
               train_default=dict(arch='audio_resnet', spec='nsynth_study', loops=0., lowpass=None, **scratch, **past),
               train_audio_cnn=dict(arch='audio_cnn', spec='compact', loops=0., lowpass=None, pretrained='audio', domains=None),
               resnet_study_loops=dict(arch='audio_resnet', spec='nsynth_study', **scratch, **past),
               transpose=dict(transpose=5),
               no_loops=dict(loops=0.),
               fp32=dict(bf16=False),
               short=dict(duration=2.),
               loops50=dict(bf16=False, loops=0.5, loop_infer=False, lowpass=None, **scratch, **past),
               loops75=dict(bf16=False, loops=0.75, loop_infer=False, lowpass=None, **scratch, **past),
               loops100=dict(bf16=False, loops=1., loop_infer=False, lowpass=None, **scratch, **past),
               loop_tight=dict(bf16=False, loops=0.5, loop_infer=False, loop_kw=dict(attack=(0.01, 0.06), periods=(1, 2)), lowpass=None, **scratch, **past),
               loops75_tight=dict(bf16=False, loop_kw=dict(attack=(0.01, 0.06), periods=(1, 2)), lowpass=None, **scratch, **past),
               lowpass=dict(lowpass=(1500., 7000.)),
               no_lowpass=dict(lowpass=None),
               attack=dict(fast_attack=(1.5, 4.)),
               wd=dict(wd=0.1),
               lr6=dict(lr=6e-3),
               lr15=dict(lr=1.5e-3),
               freq_mixstyle=dict(freq_mixstyle=(0.3, 0.5)),
               programs=dict(programs=0.5),
               font_batches=dict(font_batches=True),
               programs1=dict(programs=1.),
               pcen=dict(pcen=True),
               audio_pre=dict(pretrained='audio'),
               body_lr=dict(body_lr=3e-4),
               label_smooth=dict(label_smoothing=0.1),
               reverb=dict(reverb=0.5),
               reverb_scratch=dict(reverb=0.5, **scratch),
               loops50_both=dict(loops=0.5),       # half the training notes looped, now that inference hears each note both ways
               masks=dict(masks=True),             # + a frequency and a time mask on the training spectrograms (SpecAugment)
               masks_scratch=dict(masks=True, **scratch),
               consist=dict(consistency=12.),     # half the epochs of 32 notes in two views: the demo's compute
               consist_scratch=dict(consistency=12., **scratch),
               consist1=dict(consistency=1.), pairs=dict(consistency=0.), consist1_scratch=dict(consistency=1., **scratch),
               no_consist=dict(consistency=None),   # each training note heard once, looped or not: the demo's recipe
               consist1_masks=dict(consistency=1., masks=True),
               decay=dict(decay=(0., 12.)),        # + `RandomDecay` (exploratory) on half the training notes: 0 to 12 dB/s more decay
               decay_both=dict(decay=(-6., 12.)),  # the same, a note's decay also up to 6 dB/s slower
               family_mix=dict(family_mix=0.5),    # + `FamilyMix` (exploratory): half the training notes with another note of their family added
               freeze1=dict(frozen_blocks=1),      # the body's first block kept as pretrained (`freeze_blocks`: no gradient, a faster step), the rest trained
               freeze2=dict(frozen_blocks=2),      # its first two blocks
               az=dict(attack_zoom=True),          # frames zoomed on the attack (`_attack_zoom_cls`), from the package's body (pretrained on even frames)
               az_scratch=dict(attack_zoom=True, **scratch),
               dann=dict(domains=0.3),             # + a head that tells the training SoundFont, its gradient reversed into the body (`domain_adversarial`; before 2026-12-07 the bench's own `_dann_learner`, with a new family layer)
               dann1=dict(domains=1.),             # that head's reversed gradient at full weight
               dann01=dict(domains=0.1), dann05=dict(domains=0.5),
               small_head=dict(head_init='linear'),   # the head's last layer re-initialised as a new `nn.Linear` is (uniform, sd 0.026 for 512 inputs) in place of fastai's kaiming_normal_ (sd 0.0625): logits 2.5x smaller at the start
               head04=dict(head_init_scale=0.4),   # the same spread through the library (`audio_learner(head_init_scale=0.4)`: fastai's kaiming_normal_ weights times 0.4)
               head01=dict(head_init_scale=0.1), head0=dict(head_init_scale=0.),   # smaller still; 0: the output layer's weights start at zero (its bias too, fastai's init), so the first logits are all equal
               small_head_dann=dict(head_init='linear', domains=0.3),   # that, and the SoundFont head of `dann`: the bench's first DANN version had both
               scratch=scratch,
               demo=dict())

def _transpose_cls():
    from fastai_audio_nb.augment import AudioAugment, AUDIO_AUG_ORDER
    class Transpose(AudioAugment):
        "Play each chosen item 2**(k/12) times as fast (k drawn in +-`semitones`), by linear interpolation: a sampler's transposition"
        order = AUDIO_AUG_ORDER+4
        def __init__(self, semitones:float=5., p:float=0.5, seed=None): super().__init__(p, seed); self.semitones = semitones
        def augment(self, x, do, sr):
            bs, ch, L = x.shape
            r = 2**(self.uniform(-self.semitones, self.semitones, bs, device=x.device)/12)
            if not do.any(): return x
            i = torch.where(do)[0]
            pos = torch.arange(L, device=x.device)[None].float()*r[i,None]
            lo = pos.floor().long().clamp_max(L-1); w = (pos-lo).clamp(0, 1)[:,None]
            xi = x[i].float()
            a = xi.gather(-1, lo[:,None].expand(-1, ch, -1)); b = xi.gather(-1, (lo+1).clamp_max(L-1)[:,None].expand(-1, ch, -1))
            y = (a*(1-w) + b*w) * (pos<L)[:,None]       # past the end: silence
            out = x.clone(); out[i] = y.to(x.dtype); return out
    return Transpose

def _freq_mixstyle_cls():
    from fastai_audio_nb.augment import SpectrogramAugment
    class FreqMixStyle(SpectrogramAugment):
        "Mix each chosen spectrogram's per-band statistics (mean and spread over the frames) with another item's of the batch, by a Beta(`alpha`, `alpha`) weight"
        def __init__(self, alpha:float=0.3, p:float=0.5, seed=None): super().__init__(p, seed); self.alpha = alpha
        def augment(self, x, do):
            bs = len(x)
            mu, sd = x.mean(-1, keepdim=True), (x.var(-1, keepdim=True) + 1e-5).sqrt()
            lam = torch.distributions.Beta(self.alpha, self.alpha).sample((bs, 1, 1, 1)).to(x.device)
            perm = torch.randperm(bs, device=x.device)
            y = (x - mu)/sd*(lam*sd + (1-lam)*sd[perm]) + lam*mu + (1-lam)*mu[perm]
            return torch.where(do[:,None,None,None], y, x)
    return FreqMixStyle

def _attack_cls():
    from fastai_audio_nb.augment import AudioAugment, AUDIO_AUG_ORDER
    from fastai_audio_nb.acoustics import _moving_rms
    class FastAttack(AudioAugment):
        "Reach each chosen note's loudest point `s` times sooner (s drawn in `speed`), by warping its loudness envelope: a small library's envelope"
        order = AUDIO_AUG_ORDER+4     # after `LoopSustain`, whose loops make the sound after the attack steady
        def __init__(self, speed=(1.5, 4.), win:float=0.02, p:float=0.5, seed=None): super().__init__(p, seed); self.speed,self.win = speed,win
        def augment(self, x, do, sr):
            bs, ch, L = x.shape
            s = self.uniform(*self.speed, bs, device=x.device)
            if not do.any(): return x
            i = torch.where(do)[0]
            xi = x[i].float(); e = _moving_rms(xi.mean(1), max(1, int(self.win*sr)))     # (n, L)
            tp = e[:, :L//2].argmax(-1).float()                                          # the peak, in the first half
            t = torch.arange(L, device=x.device).float()[None]
            si, tpi = s[i,None], tp[:,None]
            src = torch.where(t < tpi/si, t*si, t + tpi - tpi/si).round().long().clamp_max(L-1)
            g = (e.gather(-1, src)/e.clamp_min(1e-6)).clamp_max(10.)                     # the envelope of `src`, on the sound of `t`
            out = x.clone(); out[i] = (xi*g[:,None]).to(x.dtype); return out
    return FastAttack

def _decay_cls():
    from fastai_audio_nb.augment import AudioAugment, AUDIO_AUG_ORDER
    class RandomDecay(AudioAugment):
        "Each chosen note's loudness falls `r` dB a second faster (r drawn in `rates`; negative: slower, at most `max_gain_db` louder) from when it first comes within 3 dB of its loudest to `held` s, then stays: another library's volume envelope (its decay)"
        order = AUDIO_AUG_ORDER+4     # after `LoopSustain`, which keeps each note's own envelope
        def __init__(self, rates=(0., 12.), held:float=3., win:float=0.02, max_gain_db:float=12., p:float=0.5, seed=None):
            super().__init__(p, seed); self.rates,self.held,self.win,self.max_gain_db = rates,held,win,max_gain_db
        def augment(self, x, do, sr):
            bs, ch, L = x.shape
            r = self.uniform(*self.rates, bs, device=x.device)
            if not do.any(): return x
            i = torch.where(do)[0]
            xi, n = x[i].float(), max(1, int(self.win*sr))
            m = xi.mean(1)[:, :(L//2)//n*n]
            e = m.view(len(i), -1, n).pow(2).mean(-1)
            tp = (e >= 0.5*e.amax(-1, keepdim=True)).float().argmax(-1).float()*n/sr   # the first block within 3 dB of the loudest of the first half (s)
            t = torch.arange(L, device=x.device).float()[None]/sr
            g = (-r[i,None]*(t.clamp_max(self.held) - tp[:,None]).clamp_min(0)).clamp_max(self.max_gain_db)
            out = x.clone(); out[i] = (xi*10**(g/20)[:,None]).to(x.dtype); return out
    return RandomDecay

def _famix_cls():
    from fastai.data.all import ItemTransform
    from fastai_audio_nb.augment import AUDIO_AUG_ORDER, _like
    class FamilyMix(ItemTransform):
        "On a share `p` of the training notes, add another note of the batch with the same label at a weight drawn in `w` (both at the note's RMS, the sum brought back to it): two instruments of a family at once, a sound of the family neither training library has"
        order, split_idx = AUDIO_AUG_ORDER+5, 0   # training only, after the loops
        def __init__(self, p:float=0.5, w=(0.3, 0.5)): super().__init__(); self.p, self.w = p, w
        def encodes(self, b):
            x, y = b[0], b[1]
            xb = x.as_subclass(torch.Tensor).float()
            yb, bs = torch.as_tensor(y).as_subclass(torch.Tensor), len(xb)
            if yb.ndim != 1 or len(yb) != bs: return b   # one label per note (`LoopSustain(pairs=True)` is not for this)
            same = (yb[:,None]==yb[None]) & ~torch.eye(bs, dtype=torch.bool, device=xb.device)
            j = (torch.rand(bs, bs, device=xb.device)*same).argmax(1)
            do = (torch.rand(bs, device=xb.device) < self.p) & same.any(1)
            w = (self.w[0] + (self.w[1]-self.w[0])*torch.rand(bs, device=xb.device))[:,None,None]
            rms = lambda a: a.pow(2).mean((1,2), keepdim=True).sqrt().clamp_min(1e-8)
            mix = (1-w)*xb + w*xb[j]*rms(xb)/rms(xb[j])
            mix = mix*rms(xb)/rms(mix)
            out = torch.where(do[:,None,None], mix, xb).to(x.dtype)
            return (_like(out, x), y, *b[2:])
    return FamilyMix

def _pcen_cls():
    from fastai_audio_nb.spectrogram import AmplitudeToDB, TensorSpectrogram, _plain
    class PCEN(AmplitudeToDB):
        "Per-channel energy normalisation (Wang et al. 2017; `librosa.pcen`'s defaults, on the mel magnitudes scaled by 2**31 as librosa advises for audio in [-1, 1]) in place of the dB"
        def __init__(self, frames_per_s:float, time_constant:float=0.4, gain:float=0.98, bias:float=2., power:float=0.5, eps:float=1e-6):
            super().__init__(); self.fps,self.tc,self.gain,self.bias,self.power,self.eps = frames_per_s,time_constant,gain,bias,power,eps
        def encodes(self, x:TensorSpectrogram):
            e = _plain(x).float()
            e = (e.sqrt() if x.power==2 else e)*2**31
            t = self.tc*self.fps; b = ((1 + 4*t**2)**0.5 - 1)/(2*t**2)     # librosa's smoothing coefficient
            m, ms = torch.ones_like(e[..., 0]), []          # librosa's initial state: a past of ones
            for i in range(e.shape[-1]): m = (1-b)*m + b*e[..., i]; ms.append(m)
            m = torch.stack(ms, -1)
            y = (self.bias + e/(self.eps + m)**self.gain)**self.power - self.bias**self.power
            return TensorSpectrogram(y, **{**x.__dict__, 'db':True})
    return PCEN

def _attack_zoom_cls(attack_s:float=0.25, hop_s:float=0.004, short:int=256):
    "A `MelSpectrogram` whose frames zoom on each note's attack: the first half of the frames every `hop_s` seconds over the first `attack_s`, with a `short`-sample window (zero-padded to `n_fft`, its power scaled to the long window's), the others spread evenly over the rest of the clip with the usual window; the same number of frames as before"
    from fastai_audio_nb.spectrogram import MelSpectrogram, _windows
    class AttackZoom(MelSpectrogram):
        def centers(self, L:int, device):
            J, sr = self.n_frames(L), self.sample_rate or 16000
            h1 = max(1, round(hop_s*sr)); J1 = min(J//2 - 1, int(attack_s*sr)//h1)
            c1 = torch.arange(J1, device=device)*h1
            c2 = torch.linspace(J1*h1, L-1, J-J1, device=device).round().long()
            return torch.cat([c1, c2]), J1
        def frames_stft(self, x, c, J1):
            "Power spectra of `x` (..., samples) at the frame centres `c`; the first `J1` with the short window"
            n, h = self.n_fft, self.n_fft//2
            xp = torch.nn.functional.pad(x.reshape(-1, 1, x.shape[-1]), (h, h), mode=self.pad_mode).reshape(*x.shape[:-1], -1)
            fr = xp[..., c[:,None] + torch.arange(n, device=x.device)]                      # (..., J, n_fft)
            wl = _windows[self.window](self.win_length, periodic=True).to(x.device)
            wl = torch.nn.functional.pad(wl, ((n-self.win_length)//2, n-self.win_length-(n-self.win_length)//2))
            ws = _windows[self.window](short, periodic=True).to(x.device)
            ws = torch.nn.functional.pad(ws, ((n-short)//2, n-short-(n-short)//2)) * (wl.square().sum()/ws.square().sum()).sqrt()
            w = torch.where((torch.arange(len(c), device=x.device) < J1)[:,None], ws, wl)
            X = torch.fft.rfft(fr*w, n=n)
            return torch.addcmul(X.real.square(), X.imag, X.imag).transpose(-1, -2)        # (..., freq, J)
        def _stft(self, x):
            c, J1 = self.centers(x.shape[-1], x.device)
            return self.frames_stft(x, c, J1)
    return AttackZoom

def attack_zoom(learn):
    "Make every loader's mel spectrogram of `learn` an `AttackZoom` (`_attack_zoom_cls`)"
    from fastai_audio_nb.spectrogram import MelSpectrogram
    AZ = _attack_zoom_cls()
    for dl in learn.dls.loaders:
        for t in dl.after_batch.fs:
            if type(t) is MelSpectrogram: t.__class__ = AZ

def default_items(path:Path)->pd.DataFrame:
    "The default set's notes with their split, family, SoundFont and GM program"
    from fastai_audio_nb.datasets import nsynth_items
    items = nsynth_items(path)
    ins = pd.concat([pd.read_csv(path/f'nsynth-{s}'/'instruments.csv') for s in ('train', 'valid')]).set_index('instrument')
    return items.assign(soundfont=items.instrument.map(ins.soundfont), program=items.instrument.map(ins.program))

def _program_learner(learn, fams:list, lam:float):
    "Score and train `learn`, whose classes are GM programs (`p024`, ...), on the families `fams` (one per class): family accuracy, family + `lam` x program loss"
    import torch.nn.functional as F
    from fastai.metrics import AccumMetric
    fv = sorted(set(fams)); f_of = torch.tensor([fv.index(f) for f in fams])
    def fam_logp(out):
        lp = out.as_subclass(torch.Tensor).float().log_softmax(-1)
        return torch.stack([lp[:, f_of.to(lp.device)==i].logsumexp(-1) for i in range(len(fv))], 1)
    def loss(out, targ):
        out, targ = out.as_subclass(torch.Tensor).float(), targ.as_subclass(torch.Tensor)
        return F.nll_loss(fam_logp(out), f_of.to(targ.device)[targ]) + lam*F.nll_loss(out.log_softmax(-1), targ)
    def fam_acc(out, targ): targ = targ.as_subclass(torch.Tensor); return (fam_logp(out).argmax(-1)==f_of.to(targ.device)[targ]).float().mean()
    learn.loss_func, learn.metrics = loss, [AccumMetric(fam_acc, flatten=False, to_np=False, invert_arg=False, dim_argmax=None, name='accuracy')]
    return learn

def _font_batches(dl, fonts):
    "Make each training batch of `dl` from the items of one font (`fonts`: one per item), in a random order drawn from `dl`'s generator"
    import types, numpy as np
    fonts = np.asarray(fonts)
    def get_idxs(self):
        rng = np.random.default_rng(self.rng.randint(0, 2**31))
        chunks = []
        for f in sorted(set(fonts)):
            idx = rng.permutation(np.flatnonzero(fonts==f))
            chunks += [idx[i:i+self.bs] for i in range(0, len(idx)-self.bs+1, self.bs)]   # whole batches (training drops the last)
        return [int(i) for c in rng.permutation(len(chunks)) for i in chunks[c]]
    dl.get_idxs = types.MethodType(get_idxs, dl)
    return dl

def split_dls(path:Path, split:str, r:dict, bs:int=64):
    "The `DataLoaders` of `split` ('timgm' or 'loso') with recipe `r`'s training augmentations"
    from fastai_audio_nb.data import folder_dls, AudioDataLoaders
    from fastai_audio_nb.training import recipe_tfms, recipe_bs, recipe_pairs
    from fastai_audio_nb.acoustics import LoopSustain
    tfms = recipe_tfms(r) or []   # the recipe's LoopSustain and LowPass, as the demo makes them
    if r.get('loop_kw'): tfms = [LoopSustain(p=r['loops'], infer=r.get('loop_infer', False), pairs=recipe_pairs(r), **r['loop_kw']) if isinstance(t, LoopSustain) else t for t in tfms]
    tfms += ([_transpose_cls()(r['transpose'])] if r.get('transpose') else []) + ([_attack_cls()(r['fast_attack'])] if r.get('fast_attack') else [])
    tfms += [_freq_mixstyle_cls()(*r['freq_mixstyle'])] if r.get('freq_mixstyle') else []
    tfms += [_decay_cls()(r['decay'])] if r.get('decay') else []
    tfms += [_famix_cls()(r['family_mix'])] if r.get('family_mix') else []
    bs = recipe_bs(r, bs)   # `recipe_pairs`: each training note twice, as it is and looped, in batches of half as many notes
    if r.get('masks'):   # SpecAugment on the training spectrograms, the defaults of `audio_augment`'s masks
        from fastai_audio_nb.augment import FreqMask, TimeMask
        tfms += [FreqMask(), TimeMask()]
    if r.get('reverb'):
        from fastai_audio_nb.acoustics import Reverb
        tfms += [Reverb(p=r['reverb'])]   # after the loops (its order): the note as a room would give it back
    kw = dict(duration=r['duration']) if r.get('duration') else {}
    kw['cache'] = True   # the clips decoded once, in memory: the same batches, sooner (the demo's loaders since 2026-12-06)
    if split=='timgm' and r.get('programs'):   # GM programs as the classes (`_program_learner` scores the family)
        it = default_items(path)
        df = pd.DataFrame(dict(fname=[str(Path(f).relative_to(path)) for f in it.fname], label=[f'p{p:03d}' for p in it.program],
                               is_valid=(it.split=='valid').values))
        return AudioDataLoaders.from_df(df, path, fn_col='fname', label_col='label', valid_col='is_valid', bs=bs, batch_tfms=tfms or None, **kw)
    if split=='timgm' and r.get('font_batches'):
        dls = folder_dls(path, bs=bs, batch_tfms=tfms or None, **kw)
        it = default_items(path); font = dict(zip([Path(f).name for f in it.fname], it.soundfont))
        _font_batches(dls.train, [font[Path(f).name] for f in dls.train_ds.items])
        return dls
    if split=='timgm': return folder_dls(path, bs=bs, batch_tfms=tfms or None, **kw)
    it = default_items(path)
    ms = it.soundfont.str.startswith('MuseScore_General')   # held out: MuseScore_General_Lite; its Full version is left out
    it = it[(it.split=='train') & (~ms | (it.soundfont=='MuseScore_General_Lite'))]
    valid = (it.soundfont=='MuseScore_General_Lite').values
    label = [f'p{p:03d}' for p in it.program] if r.get('programs') else it.instrument_family_str.values
    df = pd.DataFrame(dict(fname=[str(Path(f).relative_to(path)) for f in it.fname], label=label, is_valid=valid))
    return AudioDataLoaders.from_df(df, path, fn_col='fname', label_col='label', valid_col='is_valid', bs=bs, batch_tfms=tfms or None, **kw)

def run(path:Path, name:str, seed:int, epochs:int, split:str, tta:bool=False, save:Path=None, adabn:bool=False, audio_weights=None, fp32:bool=False)->dict:
    "Train recipe `name` with `seed` and score it on `split`: accuracy, seconds (`fp32`: the training steps in float32 whatever the recipe)"
    from fastai.torch_core import set_seed
    from fastai_audio_nb.models import get_arch
    from fastai_audio_nb.learner import audio_learner, BF16Training, freeze_blocks
    from fastai_audio_nb.training import demo_recipe, recipe_pairs, recipe_loss
    r = {**demo_recipe, **recipes[name], **(dict(bf16=False) if fp32 else {})}
    ep = r.get('epochs', max(1, epochs//2) if recipe_pairs(r) else epochs)   # each note heard twice: twice the steps an epoch, so half the epochs is the same compute
    set_seed(seed)    # first: the loaders draw their shuffling's seed from Python's generator when they are made
    dls = split_dls(path, split, r)
    if r.get('pretrained')=='audio':   # the body from `--audio-weights`, else the package's (`packaged_weights`); every layer but the recipe's `frozen_blocks` (none in the demo's) trained from the first epoch, as the demo does
        if split=='loso' and audio_weights is None:
            raise SystemExit("--split loso with an audio-pretrained recipe needs --audio-weights: the package's body heard MuseScore_General_Lite, "
                             "the library left out (a FluidR3_GM-only body: make pretrain PRETRAIN_ARGS=\"--fonts FluidR3_GM\" PRETRAIN_OUT=F.pth)")
        learn = audio_learner(dls, get_arch(r['arch']), spec=r['spec'], pretrained='audio', weights=audio_weights, head_init_scale=r.get('head_init_scale', 1.))
        learn.unfreeze()
        freeze_blocks(learn, r.get('frozen_blocks', 0))   # the recipe's first blocks kept as pretrained (`freeze1`, `freeze2`; none in `demo_recipe`)
    else: learn = audio_learner(dls, get_arch(r['arch']), spec=r['spec'], pretrained=False, head_init_scale=r.get('head_init_scale', 1.))
    if r.get('attack_zoom'): attack_zoom(learn)
    if r.get('head_init')=='linear':   # the output layer's weights and bias drawn again as `nn.Linear.reset_parameters` does
        from fastai_audio_nb.domain import output_layer
        parent, lin = output_layer(learn.model)
        getattr(parent, lin).reset_parameters()
    if r.get('programs'):
        from fastai_audio_nb.datasets import gm_programs
        fam = gm_programs().set_index('program').instrument_family_str
        _program_learner(learn, [fam[int(c[1:])] for c in dls.vocab], r['programs'])
    if r.get('domains'):   # each training note's SoundFont as its domain (`domain_adversarial`)
        from fastai_audio_nb.datasets import nsynth_soundfonts
        from fastai_audio_nb.domain import domain_adversarial
        domain_adversarial(learn, nsynth_soundfonts(path), r['domains'])
    if r.get('pcen'):   # PCEN in place of the dB, in every loader's spectrogram pipeline
        from fastai_audio_nb.spectrogram import AmplitudeToDB, SpectrogramConfig
        cfg = SpectrogramConfig.from_preset(r['spec'])
        for dl in learn.dls.loaders:
            fs = dl.after_batch.fs
            i = [j for j,f in enumerate(fs) if type(f) is AmplitudeToDB][0]
            fs[i] = _pcen_cls()(cfg.sample_rate/cfg.hop_length)
    if r.get('wd') is not None: learn.wd = r['wd']   # fastai's decoupled weight decay (AdamW), 0.01 by default
    if r.get('label_smoothing'):
        from fastai.losses import LabelSmoothingCrossEntropyFlat
        learn.loss_func = LabelSmoothingCrossEntropyFlat(eps=r['label_smoothing'])
    learn.loss_func = recipe_loss(r, learn.loss_func)   # `ConsistencyLoss` where the recipe pairs the views
    lr = slice(r['body_lr'], r['lr']) if r.get('body_lr') else r['lr']   # `body_lr`: the body's parameter group at its own rate (fastai's discriminative rates)
    t0 = time.perf_counter()
    with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(ep, lr, cbs=[BF16Training()] if r.get('bf16') else None)
    secs = time.perf_counter()-t0
    with learn.no_bar(): loss, acc = learn.validate()[:2]
    res = dict(recipe=name, split=split, seed=seed, epochs=ep, bf16=bool(r.get('bf16')), accuracy=round(float(acc), 4), valid_loss=round(float(loss), 3),
               n_train=len(dls.train_ds), n_valid=len(dls.valid_ds), train_seconds=round(secs))
    if save: Path(save).mkdir(parents=True, exist_ok=True); torch.save(learn.model.state_dict(), Path(save)/f'{name}-{split}-{seed}.pth')
    from fastai_audio_nb.acoustics import LoopSustain
    ls = [t for t in learn.dls.valid.after_batch.fs if isinstance(t, LoopSustain)]
    if ls:   # the validation notes as they are (`plain`) and looped each the same way (`LoopSustain(infer=True)`: `infer`), whichever the recipe uses
        was, probs = ls[0].infer, {}
        for k,v in dict(plain=False, infer=True).items():
            ls[0].infer = v
            with learn.no_bar(): probs[k], y = learn.get_preds()
            res[k] = round(float((probs[k].argmax(1)==y).float().mean()), 4)
        res['both'] = round(float(((probs['plain']+probs['infer']).argmax(1)==y).float().mean()), 4)   # the two passes' probabilities averaged
        ls[0].infer = was
    if adabn:   # the model's BatchNorm statistics fitted to the validation notes (`adapt_batchnorm`, `predict_files(adapt=True)`), then scored on them
        from fastai_audio_nb.learner import adapt_batchnorm
        items = dls.valid_ds.items
        files = [path/f for f in items.fname] if isinstance(items, pd.DataFrame) else list(items)
        m0, learn.model = learn.model, adapt_batchnorm(learn, files)
        with learn.no_bar(): res['adabn'] = round(float(learn.validate()[1]), 4)
        learn.model = m0
    if tta:   # fastai's test-time augmentation: the training augmentations on the validation notes, 4 passes averaged, then mixed with the plain pass
        with learn.no_bar():
            (aug, plain), y = learn.tta(n=4, beta=None)
        for b in (0., 0.25, 0.5): res[f'tta{b:g}'] = round(float((torch.lerp(aug, plain, b).argmax(1)==y).float().mean()), 4)
        with learn.no_bar(): (one, _), y = learn.tta(n=1, beta=None)   # a single pass with the training augmentations
        res['aug1'] = round(float((one.argmax(1)==y).float().mean()), 4)
    return res

def table(res:list)->str:
    "Markdown table: per recipe and split, the runs' accuracies, their mean and spread (sample standard deviation)"
    rows = ['| recipe | split | epochs | seeds | accuracy per seed | mean | spread (sd) | train s per run |', '|---|---|---|---|---|---|---|---|']
    for (n,s),g in pd.DataFrame(res).groupby(['recipe', 'split'], sort=False):
        a = g.accuracy.tolist()
        sd = f'{statistics.stdev(a):.3f}' if len(a)>1 else '-'
        rows.append(f"| {n} | {s} | {g.epochs.iloc[0]} | {len(a)} | {', '.join(f'{o:.3f}' for o in a)} | {statistics.mean(a):.3f} | {sd} | {g.train_seconds.mean():.0f} |")
    return '\n'.join(rows)

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--recipes', nargs='+', default=['study', 'no_loops', 'demo'], choices=list(recipes))
    p.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2])
    p.add_argument('--epochs', type=int, default=15, help="epochs of the recipes that do not fix theirs (the demo's on an idle 2-core CPU)")
    p.add_argument('--split', nargs='+', default=['timgm'], choices=['timgm', 'loso'])
    p.add_argument('--data', default='data/nsynth_gm_default')
    p.add_argument('--size', default='default', help="the rendered set: a key of nsynth_gm_sizes, ('large': the demo's, twice the default's training notes, the same validation notes), or 'quad' (four times)")
    p.add_argument('--fonts', nargs='+', default=None, help="training SoundFonts (default: nsynth_gm_soundfonts['train']); render into a --data folder of their own")
    p.add_argument('--threads', type=int, default=None)
    p.add_argument('--append', default=None)
    p.add_argument('--save', default=None, help="a folder for each run's weights ({recipe}-{split}-{seed}.pth)")
    p.add_argument('--adabn', action='store_true', help="also score with the BatchNorm statistics fitted to the validation notes (`adapt_batchnorm`: `predict_files(adapt=True)`)")
    p.add_argument('--audio-weights', default=None, help="the body the recipe `audio_pre` starts from (`fastai-audio pretrain --arch audio_cnn --spec compact`)")
    p.add_argument('--fp32', action='store_true', help="every recipe's training steps in float32 (a CPU without bfloat16 instructions, where they are emulated and many times slower; the demo chooses so itself)")
    p.add_argument('--tta', action='store_true', help="also score with fastai's test-time augmentation (`Learner.tta`)")
    a = p.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    from fastai_audio_nb.datasets import get_nsynth_gm, nsynth_gm_sizes, nsynth_gm_soundfonts
    if a.fonts: nsynth_gm_soundfonts['train'] = tuple(a.fonts)
    nsynth_gm_sizes.setdefault('quad', dict(instruments=None, notes=dict(train=920, valid=64, test=64)))   # exploratory: 4x default's training notes
    path = get_nsynth_gm(a.size, Path(a.data))
    desc, res, t0 = machine('cuda' if torch.cuda.is_available() else 'cpu'), [], time.perf_counter()
    print(desc, flush=True)
    for seed in a.seeds:           # seeds outermost: an interrupted run still compares the recipes
        for split in a.split:
            for name in a.recipes:
                res.append(run(path, name, seed, a.epochs, split, a.tta, a.save, a.adabn, a.audio_weights, a.fp32))
                print(json.dumps(res[-1]), flush=True)
    txt = table(res)
    print(txt)
    if a.append:
        append_section(a.append, f"\n## Accuracy of the demo's recipes (bench/accuracy.py, issue 16), {time.strftime('%Y-%m-%d')}\n\n"
                       f"{desc}; {(time.perf_counter()-t0)/60:.0f} min in all. Default set, training notes of FluidR3_GM and "
                       f"MuseScore_General_Lite; `timgm`: the TimGM6mb validation notes; `loso`: trained on FluidR3_GM only, "
                       f"scored on MuseScore_General_Lite. From scratch, one-cycle schedule, batches of 64.\n\n{txt}\n")

if __name__=='__main__': main()
