"""Issue 16: a training step of the demo's model in float32 and in bfloat16 (`BF16Training`), with and without
channels-last weights, side by side in one run, on the CPU (or the GPU with --device cuda).

A step is the forward pass (in autocast for bfloat16), the loss, the backward pass and Adam's update, on a batch of 64
random 'compact' spectrograms (1 x 64 x 126), the median of `--n` steps after one to warm up, the four settings taken
in turns so that a change of load falls on all of them.

    python bench/bf16_step.py [--arch audio_cnn] [--threads 2] [--n 5] [--append bench/RESULTS.md]
"""
import argparse, sys, time, statistics
from pathlib import Path
import torch, torch.nn.functional as F
sys.path.insert(0, str(Path(__file__).parent))
from benchutil import machine, append_section, sync

def step_time(model, opt, x, y, bf16:bool, device)->float:
    "Seconds of one training step"
    sync(device); t0 = time.perf_counter()
    with torch.autocast(torch.device(device).type, dtype=torch.bfloat16, enabled=bf16): loss = F.cross_entropy(model(x).float(), y)
    loss.backward(); opt.step(); opt.zero_grad()
    sync(device)
    return time.perf_counter()-t0

def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--arch', default='audio_cnn')
    p.add_argument('--threads', type=int, default=None)
    p.add_argument('--n', type=int, default=5)
    p.add_argument('--bs', type=int, default=64)
    p.add_argument('--device', default='cpu')
    p.add_argument('--append', default=None)
    a = p.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    from fastai_audio_nb.models import get_arch
    torch.manual_seed(0)
    x, y = torch.randn(a.bs, 1, 64, 126, device=a.device), torch.randint(0, 11, (a.bs,), device=a.device)
    models = {cl: get_arch(a.arch)(c_in=1, n_out=11).to(a.device) for cl in (False, True)}
    models[True].to(memory_format=torch.channels_last)
    opts = {cl: torch.optim.Adam(m.parameters()) for cl,m in models.items()}
    settings = [(bf, cl) for cl in (False, True) for bf in (False, True)]
    ts = {s: [] for s in settings}
    for i in range(a.n+1):   # in turns; the first round warms up
        for bf, cl in settings:
            t = step_time(models[cl], opts[cl], x, y, bf, a.device)
            if i: ts[(bf, cl)].append(t)
    med = {s: statistics.median(v) for s,v in ts.items()}
    base = med[(False, False)]
    desc = machine(a.device)
    rows = ['| precision | weights | step (s, median of %d) | speed-up |' % a.n, '|---|---|---:|---:|']
    rows += [f"| {'bfloat16' if bf else 'float32'} | {'channels-last' if cl else 'contiguous'} | {med[(bf, cl)]:.3f} | {base/med[(bf, cl)]:.2f}x |" for bf, cl in settings]
    txt = '\n'.join(rows)
    print(desc); print(txt)
    if a.append:
        append_section(a.append, f"\n## A training step in bfloat16 (bench/bf16_step.py, issue 16), {time.strftime('%Y-%m-%d %H:%M')}, {a.device}\n\n"
                       f"{desc}. {a.arch}, batches of {a.bs} spectrograms (1 x 64 x 126, the demo's 'compact'), forward + loss + backward + Adam.\n\n{txt}\n")

if __name__=='__main__': main()
