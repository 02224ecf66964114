# PyTorch peer for bench/seq2seq.ts: training target tokens/s of the same
# architecture as lexflow's `rnn` seq2seq (bidirectional LSTM encoder, memory
# projection, bridge, Luong "general" attention with input feeding, full
# softmax) at the same shapes, on random ids (throughput does not depend on the data).
# Usage: python3 seq2seq-torch.py THREADS STEPS VS VT E H B S T
import json, sys, time
import torch
import torch.nn as nn

threads, steps, Vs, Vt, E, H, B, S, T = map(int, sys.argv[1:10])
torch.set_num_threads(threads)
torch.manual_seed(0)

class Seq2Seq(nn.Module):
    def __init__(s):
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

model = Seq2Seq()
opt = torch.optim.Adam(model.parameters(), 1e-3)
lossf = nn.CrossEntropyLoss()
src = torch.randint(4, Vs, (B, S)); tin = torch.randint(4, Vt, (B, T)); tout = torch.randint(4, Vt, (B, T))
def step():
    opt.zero_grad()
    loss = lossf(model(src, tin).reshape(-1, Vt), tout.reshape(-1)); loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), 5.0); opt.step()
step()
t0 = time.perf_counter()
for _ in range(steps): step()
print(json.dumps({"train_tokens_per_s": steps * B * T / (time.perf_counter() - t0), "torch": torch.__version__, "threads": threads}))
