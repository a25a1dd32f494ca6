from h import *
FEAT = dict(mel64_h256=dict(n_mels=64, hop=256, n_fft=1024), mel64_h128=dict(n_mels=64, hop=128, n_fft=1024),
            mel96_h256=dict(n_mels=96, hop=256, n_fft=2048), mel64_h512=dict(n_mels=64, hop=512, n_fft=1024), mel128_h512=dict(n_mels=128, hop=512, n_fft=2048),
            mel96_h512=dict(n_mels=96, hop=512, n_fft=2048),
            log96_h512=dict(n_bins=96, hop=512, n_fft=2048), log96_h512_4k=dict(n_bins=96, hop=512, n_fft=4096))
def default_items(split):
    it = nsynth_items('data/nsynth_gm_default', split)
    ins = pd.read_csv(f'data/nsynth_gm_default/nsynth-{split}/instruments.csv')
    return it.instrument.map(ins.set_index('instrument').soundfont).values
def get_feats(spec, feat):
    "spec: 'default' (train split of the default set), 'valid', or a pool file stem; returns S (N,F,T), y, fonts"
    def make():
        if spec in ('default','valid'):
            X,y = load_set('data/nsynth_gm_default', 'train' if spec=='default' else 'valid')
            fonts = default_items('train' if spec=='default' else 'valid')
        else:
            d = torch.load(f'cache/{spec}.pt', weights_only=False); X = d['X'].float()
            y = torch.tensor([FAM.index(f) for f in d['df'].family]); fonts = d['df'].font.values
        f = logf_power(X, **FEAT[feat]) if feat.startswith('log') else mel_power(X, **FEAT[feat])
        return f, y, list(fonts)
    return cache(f'F_{spec}_{feat}', make)
