import json
for l in open('results.jsonl'):
    d=json.loads(l); a=d.get('args',{})
    if not a: continue
    tr = a.get('train', 'def(train.py)').replace('pool_','P:').replace('_k250_s0','').replace('loop0_','L').replace('default','def').replace('MuseScore_General','MS').replace('FluidR3','FR3')
    ex = {k:v for k,v in a.items() if k not in ('threads','train','exclude','valid','epochs','bs','lr','wd','widths','norm','p','tag') and v not in (0,0.,'',None,'cnn')}
    print(f"{d.get('final'):.4f} {d.get('best'):.4f} {d.get('secs'):5d}s {d.get('key','-')} {tr[:70]:70s} {ex}")
