"""Exploratory (issue 16, 2026-12-07): what a SoundFont's own headers say, without rendering a note: its samples, their median
length, and the presets of bank 0 that play the same set of samples although General MIDI puts them in different families.

    python sf2_presets.py /usr/share/sounds/sf2/TimGM6mb.sf2 /usr/share/sounds/sf2/FluidR3_GM.sf2

Reads the RIFF chunks of the SoundFont 2 format (phdr, pbag, pgen, inst, ibag, igen, shdr): generator 41 names a preset zone's
instrument, generator 53 an instrument zone's sample. Never run it on the reserved libraries (freepats, csound-soundfont,
timidity's patch sets).
"""
import struct, sys, collections
from fastai_audio_nb.datasets import gm_programs

def _chunks(b, off, end):
    while off < end:
        cid, sz = b[off:off+4], struct.unpack('<I', b[off+4:off+8])[0]
        yield cid, off+8, sz
        off += 8 + sz + (sz & 1)

def read_sf2(path)->dict:
    "The presets of SoundFont `path`: {(bank, program): (name, [(instrument, sample), ...])}, and its sample headers"
    b, res = open(path, 'rb').read(), {}
    for cid, o, sz in _chunks(b, 12, len(b)):
        if cid == b'LIST':
            for c2, o2, s2 in _chunks(b, o+4, o+sz): res[c2] = (o2, s2)
    def recs(name, size): o, s = res[name]; return [b[o+i*size:o+(i+1)*size] for i in range(s//size)]
    name = lambda h: h[:20].split(b'\0')[0].decode('latin1')
    phdr = [(name(h),) + struct.unpack('<HHH', h[20:26]) for h in recs(b'phdr', 38)]
    pbag, pgen = [struct.unpack('<HH', h) for h in recs(b'pbag', 4)], [struct.unpack('<HH', h) for h in recs(b'pgen', 4)]
    inst = [(name(h), struct.unpack('<H', h[20:22])[0]) for h in recs(b'inst', 22)]
    ibag, igen = [struct.unpack('<HH', h) for h in recs(b'ibag', 4)], [struct.unpack('<HH', h) for h in recs(b'igen', 4)]
    shdr = [(name(h),) + struct.unpack('<5I', h[20:40]) for h in recs(b'shdr', 46)][:-1]   # the last is the terminal record
    presets = {}
    for i in range(len(phdr)-1):
        pname, prog, bank, bag = phdr[i]
        zones = []
        for bg in range(bag, phdr[i+1][3]):
            for op, amt in pgen[pbag[bg][0]:pbag[bg+1][0]]:
                if op != 41: continue
                for ibg in range(inst[amt][1], inst[amt+1][1]):
                    zones += [(amt, a2) for op2, a2 in igen[ibag[ibg][0]:ibag[ibg+1][0]] if op2 == 53]
        presets[(bank, prog)] = (pname, zones)
    return dict(presets=presets, samples=shdr)

def report(path):
    sf = read_sf2(path)
    lens = sorted(s[2]-s[1] for s in sf['samples'])
    print(f"{path}: {len(sf['samples'])} samples, median {lens[len(lens)//2]} frames; {len(sf['presets'])} presets")
    fam = gm_programs().set_index('program').instrument_family_str
    by = collections.defaultdict(list)
    for (bank, prog), (name, zones) in sorted(sf['presets'].items()):
        if bank == 0 and prog in fam.index: by[frozenset(s for _, s in zones)].append((prog, name, fam[prog], sorted({i for i, _ in zones})))
    for ps in by.values():
        if len({f for _, _, f, _ in ps}) > 1: print('  the same samples, different families:', ps)

if __name__ == '__main__':
    for p in sys.argv[1:]: report(p)
