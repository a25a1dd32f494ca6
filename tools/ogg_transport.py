"""Carry rendered NSynth-layout sets to a machine without FluidSynth (a GPU machine, say), small: WAV -> Ogg Vorbis at
the lowest quality (the default set: 415 MB -> 37 MB), every other file as it is; there, back to 16-bit WAV.
The round trip is lossy: accuracies measured on the copy are close to, not equal to, those on the original notes.

    python tools/ogg_transport.py pack OUT data/nsynth_gm_default /tmp/fastai_audio_nb_cache/nsynth_gm_mini_v3
    python tools/ogg_transport.py unpack OUT/nsynth_gm_default data/nsynth_gm_default     # on the other machine

`bench/gpu.sh` then runs on the unpacked sets (the mini set belongs where `get_nsynth_gm('mini')` looks for it)."""
import sys, os
from pathlib import Path
from concurrent.futures import ProcessPoolExecutor
import soundfile as sf

def _encode(job):
    src, dst = job
    x, sr = sf.read(src, dtype='float32')
    sf.write(dst.with_suffix('.ogg'), x, sr, format='OGG', subtype='VORBIS', compression_level=1.0)

def _decode(job):
    src, dst = job
    x, sr = sf.read(src, dtype='int16')
    sf.write(dst, x, sr, subtype='PCM_16')

def _copy_tree(src:Path, dst:Path, ext:str, new_ext:str)->list:
    "Copy every file but those ending in `ext`, and return (source, destination with `new_ext`) pairs for those"
    jobs = []
    for p in src.rglob('*'):
        if p.is_dir(): continue
        d = dst/p.relative_to(src)
        d.parent.mkdir(parents=True, exist_ok=True)
        if p.suffix==ext: jobs.append((p, d.with_suffix(new_ext)))
        else: d.write_bytes(p.read_bytes())
    return jobs

def main(cmd, out, *folders):
    workers = os.cpu_count() or 1
    if cmd=='pack': jobs, f = [j for s in folders for j in _copy_tree(Path(s), Path(out)/Path(s).name, '.wav', '.ogg')], _encode
    elif cmd=='unpack' and len(folders)==1: jobs, f = _copy_tree(Path(out), Path(folders[0]), '.ogg', '.wav'), _decode
    else: sys.exit(__doc__)
    with ProcessPoolExecutor(workers) as ex: list(ex.map(f, jobs, chunksize=32))
    print(f"{cmd}: {len(jobs)} notes")

if __name__=='__main__':
    if len(sys.argv)<4: sys.exit(__doc__)
    main(*sys.argv[1:])
