"""Run the notebooks as the test suite, like `nbdev_test`, and close with `N passed, N failed`.

Uses nbdev's own `test_nb` (the function `nbdev_test` runs in parallel) so that the flags in
settings.ini (`tst_flags`) are honoured; adds per-notebook timings and a closing count, so a run
that executed nothing is visible."""
import sys, os, time, json, argparse, tempfile, shutil
from pathlib import Path
from fastcore.parallel import parallel
from nbdev.config import get_config
from nbdev.test import test_nb
from nbdev.doclinks import nbglob

def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument('paths', nargs='*', help='notebooks (default: all in nbs/)')
    p.add_argument('--flags', default='', help='space separated test flags to run, e.g. "slow cuda"')
    p.add_argument('--n_workers', type=int, default=None)
    a = p.parse_args()
    cfg = get_config()
    files = [Path(f) for f in a.paths] or nbglob(None, as_path=True)
    files = sorted(f.absolute() for f in files if not f.name.startswith('_'))
    if not files: print('No notebooks were found to test\n0 passed, 0 failed'); sys.exit(1)
    n_workers = a.n_workers if a.n_workers is not None else (0 if len(files)==1 else min(os.cpu_count() or 1, 8))
    print(f"testing {len(files)} notebooks with {n_workers} workers; skipped flags: "
          f"{[f for f in cfg.tst_flags.split() if f not in a.flags.split()]}", flush=True)
    t0 = time.time()
    # the notebooks' temporary folders go into one scratch folder, removed at the end (the small rendered test sets stay
    # cached where they were: FASTAI_AUDIO_CACHE); notebooks may leave a small JSON report there (the bad-input cases)
    os.environ.setdefault('FASTAI_AUDIO_CACHE', str(Path(tempfile.gettempdir())/'fastai_audio_nb_cache'))
    scratch = Path(tempfile.mkdtemp(prefix='fastai_audio_test_'))
    reports = scratch/'reports'; reports.mkdir()
    os.environ['FASTAI_AUDIO_REPORTS'] = str(reports)
    os.environ['TMPDIR'] = tempfile.tempdir = str(scratch)   # (the notebooks run in processes forked from this one)
    os.chdir(cfg.nbs_path)
    try: res = parallel(test_nb, files, skip_flags=cfg.tst_flags.split(), force_flags=a.flags.split(),
                        n_workers=n_workers, basepath=cfg.config_path, pause=0.01, do_print=False)
    except BaseException: shutil.rmtree(scratch, ignore_errors=True); raise
    for f,(ok,t) in zip(files,res): print(f"  {'ok  ' if ok else 'FAIL'} {f.name:40s} {t:6.1f} s")
    for r in sorted(reports.glob('*.json')):
        d = json.loads(r.read_text())
        print(f"{r.stem.replace('_','-')} cases: {d['tried']} tried, {d['passed']} passed" + (f"; failed: {d['failed']}" if d['failed'] else '')
              + (f"; skipped (not tried): {d['skipped']}" if d.get('skipped') else ''))
    shutil.rmtree(scratch, ignore_errors=True)
    n_ok = sum(ok for ok,_ in res)
    print(f"total {time.time()-t0:.0f} s")
    print(f"notebooks: {n_ok} passed, {len(files)-n_ok} failed")
    sys.exit(0 if n_ok==len(files) else 1)

if __name__=='__main__': main()
