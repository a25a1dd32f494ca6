"Helpers shared by the benchmark scripts in bench/ (run as `python bench/NAME.py`, so this folder is on sys.path)"
import os, platform, torch

def machine(device, load:bool=True)->str:
    "The CPU model, cores, torch version and threads, the GPU if `device` is CUDA, and the load average now"
    cpu = platform.processor() or platform.machine()
    try:
        for line in open('/proc/cpuinfo'):
            if line.startswith('model name'): cpu = line.split(':', 1)[1].strip(); break
    except OSError: pass
    d = f'{cpu}, {os.cpu_count()} cores visible, torch {torch.__version__} with {torch.get_num_threads()} threads'
    if str(device).startswith('cuda'): d += f', GPU {torch.cuda.get_device_name(device)}'
    if load and hasattr(os, 'getloadavg'): d += f'; load average {os.getloadavg()[0]:.1f} at the start'
    return d

def sync(device):
    "Wait for the GPU's queued work, so that a timer measures it"
    if str(device).startswith('cuda'): torch.cuda.synchronize(device)

def append_section(path, txt:str):
    "Append `txt`, a markdown section, to the results file `path` (bench/RESULTS.md), and say so"
    with open(path, 'a') as f: f.write(txt)
    print(f'appended to {path}')
