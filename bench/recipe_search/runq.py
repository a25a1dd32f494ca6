"run experiment command lines from a file, N at a time, 1 thread each; append their JSON lines to results.jsonl; logs in logs/"
import subprocess, sys, time, hashlib, shlex
from pathlib import Path
from concurrent.futures import ThreadPoolExecutor
cmds = [l.strip() for l in open(sys.argv[1]) if l.strip() and not l.startswith('#')]
n = int(sys.argv[2]) if len(sys.argv)>2 else 2
Path('logs').mkdir(exist_ok=True)
def run(c):
    log = Path('logs')/(hashlib.md5(c.encode()).hexdigest()[:8]+'.log')
    with open(log,'w') as f: f.write(c+'\n')
    r = subprocess.run(f"{shlex.quote(sys.executable)} {c} >> {log} 2>&1", shell=True)   # the Python that runs this queue
    last = [l for l in open(log).read().splitlines() if l.startswith('{')]
    with open('results.jsonl','a') as f: f.write((last[-1] if last else '{"cmd": "%s", "error": "see %s"}' % (c, log))+'\n')
    return c
with ThreadPoolExecutor(n) as ex:
    for c in ex.map(run, cmds): print('done', c, flush=True)
