# PyTorch peer for bench/seq2seq.ts: training target tokens/s of the same
# architectures as lexflow's seq2seq, at the same shapes, on random ids
# (throughput does not depend on the data). Prints one JSON line.
#   rnn: bidirectional LSTM encoder, memory projection, bridge, Luong "general"
#        attention with input feeding, full softmax.
#   transformer: pre-LN encoder-decoder (nn.Transformer, norm_first, ReLU),
#        sinusoidal positions, embeddings scaled by sqrt(D), decoder input
#        embedding tied to the output projection when SHARE is 1, label smoothing LS.
# Usage: python3 seq2seq-torch.py rnn THREADS STEPS VS VT E H B S T
#        python3 seq2seq-torch.py transformer THREADS STEPS VS VT D HEADS LAYERS FFN B S T SHARE LS
import json, math, sys, time
import os
# Debian's torch runs its GEMMs in OpenBLAS (pthreads), whose own pool defaults to every
# core whatever torch.set_num_threads says: "1 thread" is then 2 for the matMuls, and
# set_num_threads(2) puts 2 OpenMP and 2 OpenBLAS threads on 2 cores. Both pools are set
# here before torch loads: THREADS for torch's own (OpenMP) ops, $BLAS_THREADS (default
# THREADS) for OpenBLAS.
blas_threads = os.environ.get("BLAS_THREADS", sys.argv[2])
os.environ["OMP_NUM_THREADS"] = sys.argv[2]
os.environ["OPENBLAS_NUM_THREADS"] = os.environ["MKL_NUM_THREADS"] = blas_threads
import torch
import torch.nn as nn

arch = sys.argv[1]
threads, steps = int(sys.argv[2]), int(sys.argv[3])
torch.set_num_threads(threads)
torch.manual_seed(0)

class RnnSeq2Seq(nn.Module):
    def __init__(s, Vs, Vt, E, H):
        super().__init__()
        s.se = nn.Embedding(Vs, E); s.te = nn.Embedding(Vt, E)
        s.enc = nn.LSTM(E, H, 1, batch_first=True, bidirectional=True)
        s.mem = nn.Linear(2 * H, H, bias=False); s.bridge = nn.Linear(2 * H, H)
        s.dec = nn.LSTMCell(E + H, H); s.wa = nn.Linear(H, H, bias=False); s.wc = nn.Linear(2 * H, H, bias=False)
        s.out = nn.Linear(H, Vt)
    def forward(s, src, tin):
        y, (hn, _) = s.enc(s.se(src))
        m = s.mem(y)                                   # (B, S, H)
        h = torch.tanh(s.bridge(torch.cat([hn[0], hn[1]], 1))); c = torch.zeros_like(h); feed = torch.zeros_like(h)
        emb = s.te(tin); outs = []
        for t in range(tin.shape[1]):
            h, c = s.dec(torch.cat([emb[:, t], feed], 1), (h, c))
            a = torch.softmax(torch.bmm(m, s.wa(h).unsqueeze(2)).squeeze(2), 1)
            ctx = torch.bmm(a.unsqueeze(1), m).squeeze(1)
            feed = torch.tanh(s.wc(torch.cat([ctx, h], 1))); outs.append(feed)
        return s.out(torch.stack(outs, 1))

def sinusoidal(n, D):
    pos = torch.arange(n).unsqueeze(1).float()
    div = torch.pow(10000.0, torch.arange(0, D, 2).float() / D)
    pe = torch.zeros(n, D); pe[:, 0::2] = torch.sin(pos / div); pe[:, 1::2] = torch.cos(pos / div)
    return pe

class TransformerSeq2Seq(nn.Module):
    def __init__(s, Vs, Vt, D, NH, L, F, share):
        super().__init__()
        s.D = D
        s.se = nn.Embedding(Vs, D); s.te = nn.Embedding(Vt, D)
        s.t = nn.Transformer(D, NH, L, L, F, dropout=0.1, batch_first=True, norm_first=True)
        s.out = nn.Linear(D, Vt)
        if share: s.out.weight = s.te.weight
        s.register_buffer('pe', sinusoidal(512, D))
    def forward(s, src, tin):
        S, T = src.shape[1], tin.shape[1]
        x = s.se(src) * math.sqrt(s.D) + s.pe[:S]
        y = s.te(tin) * math.sqrt(s.D) + s.pe[:T]
        mask = s.t.generate_square_subsequent_mask(T)
        return s.out(s.t(x, y, tgt_mask=mask))

if arch == 'rnn':
    Vs, Vt, E, H, B, S, T = map(int, sys.argv[4:11])
    model, ls = RnnSeq2Seq(Vs, Vt, E, H), 0.0
else:
    Vs, Vt, D, NH, L, F, B, S, T, share = map(int, sys.argv[4:14])
    ls = float(sys.argv[14])
    model = TransformerSeq2Seq(Vs, Vt, D, NH, L, F, share == 1)

opt = torch.optim.Adam(model.parameters(), 1e-3)
lossf = nn.CrossEntropyLoss(label_smoothing=ls)
src = torch.randint(4, Vs, (B, S)); tin = torch.randint(4, Vt, (B, T)); tout = torch.randint(4, Vt, (B, T))
def step():
    opt.zero_grad()
    loss = lossf(model(src, tin).reshape(-1, Vt), tout.reshape(-1)); loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), 5.0); opt.step()
model.train()
step()
t0 = time.perf_counter()
for _ in range(steps): step()
print(json.dumps({"arch": arch, "train_tokens_per_s": steps * B * T / (time.perf_counter() - t0), "torch": torch.__version__, "threads": threads}))
