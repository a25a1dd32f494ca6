"""Fail unless every notebook in nbs/ is a valid notebook file (`nbformat.validate`) without stored outputs.

Only code cells run in the tests, so a prose cell of an unknown type (`md` for `markdown`) or a cell that keeps the
outputs of a run would pass them unseen: this check, part of `make test` (tools/check_sync.sh), does not let them."""
import sys, warnings
from pathlib import Path
import nbformat

def problems(fn:Path)->list:
    "What is wrong with notebook `fn`: each a line (none when it is valid and carries no outputs)"
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')   # nbformat warns (then fixes in memory) where it also fails validation below
        try: nb = nbformat.read(fn, as_version=nbformat.NO_CONVERT)
        except Exception as e: return [f"not a notebook file ({type(e).__name__}: {e})"]
    out = []
    try: nbformat.validate(nb)
    except nbformat.ValidationError as e: out.append(f"invalid: {e.message}")
    for i,c in enumerate(nb.cells):
        if c.get('cell_type') not in ('code', 'markdown', 'raw'): out.append(f"cell {i}: cell_type {c.get('cell_type')!r} (prose is 'markdown')")
        if c.get('cell_type')=='code' and (c.get('outputs') or c.get('execution_count') is not None):
            out.append(f"cell {i} ({c.get('id')}): stored outputs or execution count (clear them: the notebooks are source)")
    return out

def main(paths=None)->int:
    files = sorted(Path(p) for p in paths) if paths else sorted(Path('nbs').glob('*.ipynb'))
    bad = {f: ps for f in files if (ps := problems(f))}
    for f,ps in bad.items():
        for p in ps: print(f"{f}: {p}")
    print(f"notebooks: {len(files)-len(bad)} of {len(files)} valid and without outputs")
    return 1 if bad or not files else 0

if __name__=='__main__': sys.exit(main(sys.argv[1:]))
