"""`make test-ddp`: `fastai-audio train` under `accelerate launch` with two CPU processes (gloo) on the mini set, one epoch (with `--minutes`: `TimeBudget` broadcasts rank 0's plan),
checked against a single process: both ranks ran, only rank 0 printed and wrote files, the validation figures cover the
whole validation set (55 notes, not the 56 that two equal shares make), and metrics.json has the same entries.
Closes with the line 'ddp: N passed, N failed'."""
import sys, os, json, time, socket, shutil, tempfile, subprocess
from pathlib import Path

BIN = Path(sys.executable).parent
TRAIN = ['train', '--arch', 'resnet18', '--epochs', '1', '--bs', '16', '--no-pretrained', '--workers', '0', '--minutes', '10']   # a time budget that does not bind: each rank plans, rank 0's plan is broadcast

def free_port()->int:
    "A TCP port nobody listens on now (for the rendezvous of the two processes)"
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]

def run(cmd, env, timeout=300):
    t0 = time.perf_counter()
    r = subprocess.run([str(o) for o in cmd], env=env, capture_output=True, text=True, timeout=timeout)
    return r, time.perf_counter()-t0

def main():
    from fastai_audio_nb.datasets import get_nsynth_gm
    mini = get_nsynth_gm('mini')
    n_valid = len(list((mini/'nsynth-valid'/'audio').glob('*.wav')))
    tmp = Path(tempfile.mkdtemp(prefix='fastai_audio_ddp_'))
    # one thread per process, no GPU: two processes on two cores, the gloo backend
    env = {**os.environ, 'OMP_NUM_THREADS': '1', 'CUDA_VISIBLE_DEVICES': '', 'ACCELERATE_USE_CPU': '1', 'PYTHONUNBUFFERED': '1'}
    checks, t_start, t1, t2 = [], time.perf_counter(), 0., 0.
    def check(name, ok, detail=''):
        checks.append((name, bool(ok)))
        if not ok: print(f"FAIL {name} {detail}".rstrip(), flush=True)
    try:
        single, t1 = run([BIN/'fastai-audio', *TRAIN, mini, '--out', tmp/'single'], env)
        check('single process exits 0', single.returncode==0, single.stderr[-3000:])
        logs = tmp/'logs'
        ddp, t2 = run([BIN/'accelerate', 'launch', '--multi_gpu', '--num_processes', '2', '--num_machines', '1', '--mixed_precision', 'no',
                       '--dynamo_backend', 'no', '--main_process_port', free_port(), '--tee', '3', '--log_dir', logs,
                       BIN/'fastai-audio', *TRAIN, mini, '--out', tmp/'ddp'], env)
        check('accelerate launch exits 0', ddp.returncode==0, (ddp.stdout+ddp.stderr)[-3000:])
        # torch.distributed.run keeps each rank's output in LOG_DIR/<run>/attempt_0/<rank>/stdout.log
        outs = {int(p.parent.name): p.read_text() for p in logs.glob('*/attempt_*/*/stdout.log')}
        check('both ranks ran', sorted(outs)==[0, 1], f"rank logs: {sorted(outs)}")
        o0, o1 = outs.get(0, ''), outs.get(1, '')
        check('rank 0 reports 2 processes on gloo', 'distributed: 2 processes (gloo)' in o0, o0[-2000:])
        check('rank 0 prints the table and the report', all(s in o0 for s in ('epoch', 'validation accuracy', 'saved ')), o0[-2000:])
        o1 = '\n'.join(l for l in o1.splitlines() if l.strip() and not l.startswith('[Gloo]'))   # gloo's own connection line
        check('rank 1 prints nothing', o1=='', o1[-2000:])
        print(o0.strip())
        files = sorted(str(p.relative_to(tmp/'ddp')) for p in (tmp/'ddp').rglob('*')) if (tmp/'ddp').exists() else []
        check('one set of output files', files==['confusion_matrix.png', 'metrics.json', 'model.pkl'], files)
        m1 = json.loads((tmp/'single'/'metrics.json').read_text())
        m2 = json.loads((tmp/'ddp'/'metrics.json').read_text())
        check('metrics.json has the same keys as one process', sorted(m1)==sorted(m2), set(m1)^set(m2))
        check('history has the same keys', sorted(m1['history'][0])==sorted(m2['history'][0]))
        check('per instrument in one process, not under DDP (the gathered predictions are not in the items\' order)', isinstance(m1['groups'], list) and sum(g['items'] for g in m1['groups'])==m1['n_valid'] and m2['groups'] is None and 'per instrument' not in o0,
              (type(m1['groups']).__name__, m2['groups']))
        check('n_valid is the whole validation set', m2['n_valid']==n_valid==sum(map(sum, m2['confusion_matrix'])),
              (m2['n_valid'], n_valid))
        acc = m2['history'][-1]['accuracy']
        # the epoch's accuracy is k/55, the same as the report's; fastai's own averages give k/56 (one note counted twice)
        check('epoch accuracy over the whole validation set', abs(acc*n_valid-round(acc*n_valid))<1e-4 and abs(acc-m2['accuracy'])<1e-6,
              (acc, m2['accuracy']))
        check('same data and classes', (m1['n_train'], m1['vocab'])==(m2['n_train'], m2['vocab']))
        check('--minutes: the time budget ran in both, the epoch whole', (m1['minutes'], m2['minutes'])==(10., 10.) and 0 < m2['steps'] < m1['steps'] and (m1['epochs_trained'], m2['epochs_trained'])==(1., 1.),
              (m1.get('steps'), m2.get('steps'), m1.get('epochs_trained'), m2.get('epochs_trained')))
        # an error after the processes joined their group (bad weights): each rank says it plainly, none hangs, nothing written
        (tmp/'bad.pth').write_bytes(os.urandom(4096))
        bad, _ = run([BIN/'accelerate', 'launch', '--multi_gpu', '--num_processes', '2', '--num_machines', '1', '--mixed_precision', 'no',
                      '--dynamo_backend', 'no', '--main_process_port', free_port(), BIN/'fastai-audio', 'train', '--arch', 'resnet18',
                      '--weights', tmp/'bad.pth', '--workers', '0', mini, '--out', tmp/'bad'], env, timeout=120)
        said = bad.stdout+bad.stderr
        msg = f"fastai-audio train: error: {tmp/'bad.pth'}: not a PyTorch state dict or checkpoint"
        check('an error in the ranks: exit status not 0, the message from each rank, no traceback of ours',
              bad.returncode!=0 and said.count(msg)==2 and 'fastai_audio_nb' not in said and not (tmp/'bad').exists(), said[-3000:])
    except Exception as e: check('no error in the test', False, f"{type(e).__name__}: {e}")
    finally: shutil.rmtree(tmp, ignore_errors=True)
    n_ok = sum(ok for _,ok in checks)
    print(f"ddp: 2 CPU processes (gloo) on the mini set, one epoch: single process {t1:.0f} s, accelerate launch {t2:.0f} s; "
          f"total {time.perf_counter()-t_start:.0f} s")
    print(f"ddp: {n_ok} passed, {len(checks)-n_ok} failed")    # the plain closing line CI reads
    sys.exit(0 if n_ok==len(checks) else 1)

if __name__=='__main__': main()
