import torch, torch.nn as nn, torch.nn.functional as F
class ConvBlock(nn.Module):
    def __init__(self, ni, nf, pool=(2,2), k=3):
        super().__init__()
        self.c1,self.b1 = nn.Conv2d(ni,nf,k,padding=k//2,bias=False),nn.BatchNorm2d(nf)
        self.c2,self.b2 = nn.Conv2d(nf,nf,k,padding=k//2,bias=False),nn.BatchNorm2d(nf)
        self.pool=pool
    def forward(self,x):
        x = F.relu(self.b1(self.c1(x))); x = F.relu(self.b2(self.c2(x)))
        return F.avg_pool2d(x, self.pool) if self.pool else x
class CNN(nn.Module):
    "PANNs-style CNN (Cnn10-like, narrower): conv blocks, mean over freq, max+mean over time"
    def __init__(self, n_out=11, widths=(32,64,128,256), p=0.3, k=3):
        super().__init__()
        self.bn0 = nn.BatchNorm2d(1)
        ws=[1,*widths]
        self.blocks = nn.Sequential(*[ConvBlock(a,b,k=k) for a,b in zip(ws[:-1],ws[1:])])
        self.drop=nn.Dropout(p); self.fc=nn.Linear(widths[-1], n_out)
    def forward(self,x):
        x = self.blocks(self.bn0(x)).mean(2)
        x = x.amax(-1) + x.mean(-1)
        return self.fc(self.drop(x))
