# PyTorch peer for bench/lm-neural.ts: training and evaluation tokens/s of an
# LSTM LM and a pre-LN causal Transformer LM at the same shapes as lexflow's,
# on random ids (throughput does not depend on the data). Prints one JSON line.
# Usage: python3 lm-neural-torch.py THREADS STEPS [BLAS_THREADS] [full|class]
# The output layer is the full softmax (nn.Linear + cross-entropy) or the same
# class-factored softmax as lexflow's lib/nn/output.ts (Goodman 2001).
import json, math, os, sys, time
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
output = sys.argv[4] if len(sys.argv) > 4 else "full"
torch.set_num_threads(threads)
torch.manual_seed(0)
V = 10000

class FullSoftmax(nn.Module):
    def __init__(s, H):
        super().__init__()
        s.out = nn.Linear(H, V); s.lossf = nn.CrossEntropyLoss()
    def loss(s, h, y):
        return s.lossf(s.out(h), y)
    def target_log_probs(s, h, y):
        return torch.log_softmax(s.out(h), -1).gather(-1, y.unsqueeze(-1))

class ClassSoftmax(nn.Module):
    # p(w | h) = p(c(w) | h) p(w | c(w), h), class k = ids [k S, (k+1) S) of a vocabulary
    # sorted by frequency, C = S = ceil(sqrt(V)); the rows grouped by class, one matMul
    # per class present, as lexflow does it.
    def __init__(s, H):
        super().__init__()
        C = math.ceil(math.sqrt(V)); S = math.ceil(V / C); s.C, s.S = C, S
        s.cls = nn.Linear(H, C)
        s.ww = nn.Parameter(torch.empty(C, H, S).uniform_(-0.1, 0.1)); s.wb = nn.Parameter(torch.zeros(C, S))
        mask = torch.zeros(C * S); mask[V:] = -1e30; s.register_buffer("mask", mask.view(C, S))
    def target_log_probs(s, h, y):
        c = torch.div(y, s.S, rounding_mode="floor"); slot = y - c * s.S
        order = torch.argsort(c); counts = torch.bincount(c, minlength=s.C).tolist()
        lpc = torch.log_softmax(s.cls(h), -1).gather(1, c.unsqueeze(1)).squeeze(1)[order]
        parts = torch.split(h[order], counts)
        # unbind, not s.ww[k]: each index's backward would add a zero-filled [C, H, S] gradient.
        ww, wb, mask = s.ww.unbind(0), s.wb.unbind(0), s.mask.unbind(0)
        scores = torch.cat([hp @ ww[k] + wb[k] + mask[k] for k, hp in enumerate(parts) if hp.shape[0]])
        return lpc + torch.log_softmax(scores, -1).gather(1, slot[order].unsqueeze(1)).squeeze(1)
    def loss(s, h, y):
        return -s.target_log_probs(h, y).mean()

Head = ClassSoftmax if output == "class" else FullSoftmax

class LSTMLM(nn.Module):
    def __init__(s):
        super().__init__()
        s.emb = nn.Embedding(V, 200); s.rnn = nn.LSTM(200, 200, 2, dropout=0.0, batch_first=True); s.head = Head(200)
    def forward(s, x, h=None):
        y, h = s.rnn(s.emb(x), h)
        return y

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
        s.ln = nn.LayerNorm(d); s.head = Head(d)
    def forward(s, x):
        T = x.shape[1]
        mask = torch.triu(torch.full((T, T), float('-inf')), 1)
        y = s.tok(x) + s.pos(torch.arange(T))
        for b in s.blocks: y = b(y, mask)
        return s.ln(y)

# Ids drawn by Zipf's law over a frequency-sorted vocabulary, as PTB's are: with the
# class softmax, how many classes a batch touches (one matMul each) is then realistic.
zipf = 1.0 / torch.arange(1, V + 1, dtype=torch.float64)

def bench(model, B, T, lstm):
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    x = torch.multinomial(zipf, B * T, replacement=True).view(B, T); y = torch.multinomial(zipf, B * T, replacement=True).view(B, T)
    def step():
        opt.zero_grad()
        h = model(x)
        loss = model.head.loss(h.reshape(-1, h.shape[-1]), y.reshape(-1)); loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 5.0); opt.step()
    step()
    t0 = time.perf_counter()
    for _ in range(steps): step()
    train = steps * B * T / (time.perf_counter() - t0)
    model.eval()
    with torch.no_grad():
        h = model(x)  # one untimed call first, as for training (and as bench/lm-neural.ts does)
        model.head.target_log_probs(h.reshape(-1, h.shape[-1]), y.reshape(-1))
        t0 = time.perf_counter()
        for _ in range(steps):
            h = model(x)
            model.head.target_log_probs(h.reshape(-1, h.shape[-1]), y.reshape(-1))
        ev = steps * B * T / (time.perf_counter() - t0)
    model.train()
    return train, ev

lt, le = bench(LSTMLM(), 20, 35, True)
tt, te = bench(TransformerLM(), 32, 64, False)
print(json.dumps({"torch": torch.__version__, "threads": threads, "blas_threads": int(blas_threads), "output": output, "lstm_train": lt, "lstm_eval": le, "transformer_train": tt, "transformer_eval": te}))
