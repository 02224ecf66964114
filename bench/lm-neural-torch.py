# PyTorch peer for bench/lm-neural.ts: training and evaluation tokens/s of an
# LSTM LM and a pre-LN causal Transformer LM at the same shapes as lexflow's,
# on random ids (throughput does not depend on the data). Prints one JSON line.
# Usage: python3 lm-neural-torch.py THREADS STEPS [BLAS_THREADS]
import json, os, sys, time
# Debian's torch runs its GEMMs in OpenBLAS (pthreads), whose own pool defaults to every
# core whatever torch.set_num_threads says: "1 thread" is then 2 for the matMuls, and
# set_num_threads(2) puts 2 OpenMP and 2 OpenBLAS threads on 2 cores. Both pools are set
# here before torch loads: THREADS for torch's own (OpenMP) ops, BLAS_THREADS (default
# THREADS) for OpenBLAS.
blas_threads = sys.argv[3] if len(sys.argv) > 3 else sys.argv[1]
os.environ["OMP_NUM_THREADS"] = sys.argv[1]
os.environ["OPENBLAS_NUM_THREADS"] = os.environ["MKL_NUM_THREADS"] = blas_threads
import torch
import torch.nn as nn

threads, steps = int(sys.argv[1]), int(sys.argv[2])
torch.set_num_threads(threads)
torch.manual_seed(0)
V = 10000

class LSTMLM(nn.Module):
    def __init__(s):
        super().__init__()
        s.emb = nn.Embedding(V, 200); s.rnn = nn.LSTM(200, 200, 2, dropout=0.0, batch_first=True); s.out = nn.Linear(200, V)
    def forward(s, x, h=None):
        y, h = s.rnn(s.emb(x), h)
        return s.out(y), h

class Block(nn.Module):
    def __init__(s, d, h, f):
        super().__init__()
        s.ln1 = nn.LayerNorm(d); s.att = nn.MultiheadAttention(d, h, batch_first=True); s.ln2 = nn.LayerNorm(d)
        s.ff = nn.Sequential(nn.Linear(d, f), nn.GELU(approximate='tanh'), nn.Linear(f, d))
    def forward(s, x, mask):
        a = s.ln1(x); x = x + s.att(a, a, a, attn_mask=mask, need_weights=False)[0]
        return x + s.ff(s.ln2(x))

class TransformerLM(nn.Module):
    def __init__(s, d=128, h=4, L=2, f=512, C=64):
        super().__init__()
        s.tok = nn.Embedding(V, d); s.pos = nn.Embedding(C, d); s.blocks = nn.ModuleList([Block(d, h, f) for _ in range(L)])
        s.ln = nn.LayerNorm(d); s.out = nn.Linear(d, V)
    def forward(s, x):
        T = x.shape[1]
        mask = torch.triu(torch.full((T, T), float('-inf')), 1)
        y = s.tok(x) + s.pos(torch.arange(T))
        for b in s.blocks: y = b(y, mask)
        return s.out(s.ln(y))

def bench(model, B, T, lstm):
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    lossf = nn.CrossEntropyLoss()
    x = torch.randint(0, V, (B, T)); y = torch.randint(0, V, (B, T))
    def step():
        opt.zero_grad()
        logits = model(x)[0] if lstm else model(x)
        loss = lossf(logits.reshape(-1, V), y.reshape(-1)); loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0); opt.step()
    step()
    t0 = time.perf_counter()
    for _ in range(steps): step()
    train = steps * B * T / (time.perf_counter() - t0)
    model.eval()
    with torch.no_grad():
        t0 = time.perf_counter()
        for _ in range(steps):
            logits = model(x)[0] if lstm else model(x)
            torch.log_softmax(logits, -1).gather(-1, y.unsqueeze(-1))
        ev = steps * B * T / (time.perf_counter() - t0)
    model.train()
    return train, ev

lt, le = bench(LSTMLM(), 20, 35, True)
tt, te = bench(TransformerLM(), 32, 64, False)
print(json.dumps({"torch": torch.__version__, "threads": threads, "blas_threads": int(blas_threads), "lstm_train": lt, "lstm_eval": le, "transformer_train": tt, "transformer_eval": te}))
