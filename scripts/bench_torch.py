#!/usr/bin/python3
"""bench_torch.py — the loopt model in PyTorch on the CPU, timed the way `loopt bench` times it.

The same network as loopt's engine at its defaults (scheme "loop", halting "none"): token
embedding + one learned table per Sudoku coordinate axis (row, col, box; summed), a block of L
post-norm layers (RMSNorm without gain, multi-head attention without bias, SwiGLU with hidden
F = ceil(8C/3) rounded up to a multiple of 8, no biases), input injection every loop, K loops
(only the last W backpropagated), a linear head to 10 classes, cross-entropy over all 81 cells,
AdamW with global-norm clipping and an EMA of the weights (as loopt's optimizer does).

Times full training steps (after 2 warm-up steps) and torch.no_grad() inference at --iters
loops, medians over --reps, at each thread count in --threads (torch.set_num_threads); the best
thread count is reported. One JSON object on stdout. Needs Debian's python3-torch
(`apt-get install python3-torch`); nothing else in loopt does.

    /usr/bin/python3 scripts/bench_torch.py --config configs/bench.json
    /usr/bin/python3 scripts/bench_torch.py --batch 64 --loops 8 --d 128 --heads 4 --layers 2
"""
import argparse
import json
import math
import resource
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def sudoku_coords():
    """(81, 3) row, col, box of each cell."""
    rows = [[i // 9, i % 9, (i // 27) * 3 + (i % 9) // 3] for i in range(81)]
    return torch.tensor(rows, dtype=torch.long)


def rms(x, eps=1e-5):
    return x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps)


class Layer(nn.Module):
    def __init__(self, C, NH, Fh):
        super().__init__()
        self.C, self.NH, self.F = C, NH, Fh
        self.wqkv = nn.Linear(C, 3 * C, bias=False)
        self.wo = nn.Linear(C, C, bias=False)
        self.wfc = nn.Linear(C, 2 * Fh, bias=False)   # [gate | up]
        self.wproj = nn.Linear(Fh, C, bias=False)

    def forward(self, x):
        B, T, C = x.shape
        hs = C // self.NH
        q, k, v = self.wqkv(x).split(C, dim=-1)
        q = q.view(B, T, self.NH, hs).transpose(1, 2)     # (B, NH, T, hs)
        k = k.view(B, T, self.NH, hs).transpose(1, 2)
        v = v.view(B, T, self.NH, hs).transpose(1, 2)
        att = torch.softmax((q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hs)), dim=-1)
        y = (att @ v).transpose(1, 2).reshape(B, T, C)
        n1 = rms(x + self.wo(y))                          # post-norm
        g, u = self.wfc(n1).split(self.F, dim=-1)
        return rms(n1 + self.wproj(F.silu(g) * u))


class Looped(nn.Module):
    def __init__(self, C, NH, L, Fh, vocab=10, n_out=10, std=0.02):
        super().__init__()
        self.wte = nn.Embedding(vocab, C)
        self.wrow = nn.Embedding(9, C)
        self.wcol = nn.Embedding(9, C)
        self.wbox = nn.Embedding(9, C)
        self.layers = nn.ModuleList([Layer(C, NH, Fh) for _ in range(L)])
        self.wout = nn.Linear(C, n_out, bias=False)
        self.register_buffer("coords", sudoku_coords(), persistent=False)
        emb_std = 1.0 / math.sqrt(4.0)
        for e in (self.wte, self.wrow, self.wcol, self.wbox):
            nn.init.normal_(e.weight, std=emb_std)
        for mod in self.modules():
            if isinstance(mod, nn.Linear):
                nn.init.normal_(mod.weight, std=std)

    def forward(self, tokens, loops, window):
        c = self.coords
        e = self.wte(tokens) + (self.wrow(c[:, 0]) + self.wcol(c[:, 1]) + self.wbox(c[:, 2]))
        h = None
        for k in range(1, loops + 1):
            if h is not None and k == loops - window + 1:
                h = h.detach()                            # truncated backprop: last W loops only
            u = e if h is None else h + e                 # input injection
            for layer in self.layers:
                u = layer(u)
            h = u
        return self.wout(h)


def d_ff_auto(C):
    f = -(-8 * C // 3)
    return (f + 7) // 8 * 8


def flops(B, T, C, Fh, L, Vout, loops, kept):
    """Model FLOPs (matrix products only) of one training step and of one forward, as loopt bench."""
    N = B * T
    layer = 2 * N * C * 3 * C + 2 * N * C * C + 2 * N * C * 2 * Fh + 2 * N * Fh * C + 4 * B * T * T * C
    head = 2 * N * C * Vout
    fwd = loops * L * layer + head
    return fwd + 2 * (kept * L * layer + head), fwd


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--config", help="loopt JSON config: model/recursion/train.batch give the defaults")
    ap.add_argument("--batch", type=int)
    ap.add_argument("--loops", type=int)
    ap.add_argument("--window", type=int, help="loops backpropagated (0 = all)")
    ap.add_argument("--iters", type=int, help="inference loops (default --loops)")
    ap.add_argument("--d", type=int, help="d_model")
    ap.add_argument("--heads", type=int)
    ap.add_argument("--layers", type=int)
    ap.add_argument("--d-ff", type=int, help="SwiGLU width (0 = auto)")
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--threads", default="1,2", help="thread counts to try, comma-separated")
    ap.add_argument("--no-ema", action="store_true", help="leave out the EMA update")
    ap.add_argument("--skip-infer", action="store_true")
    ap.add_argument("--skip-train", action="store_true")
    a = ap.parse_args()

    cfg = {"batch": 64, "loops": 8, "window": 0, "d": 128, "heads": 4, "layers": 2, "d_ff": 0}
    if a.config:
        with open(a.config) as f:
            j = json.load(f)
        m, r, t = j.get("model", {}), j.get("recursion", {}), j.get("train", {})
        cfg.update({k: v for k, v in {
            "batch": t.get("batch"), "loops": r.get("loops"), "window": r.get("window"),
            "d": m.get("d_model"), "heads": m.get("n_heads"), "layers": m.get("n_layers"),
            "d_ff": m.get("d_ff")}.items() if v is not None})
        h = j.get("halting", {})
        for name, val, ok in (("halting.kind", h.get("kind", "none"), "none"),
                              ("model.positions", m.get("positions", "coords"), "coords"),
                              ("model.norm", m.get("norm", "post"), "post"),
                              ("model.memory_tokens", m.get("memory_tokens", 0), 0),
                              ("model.norm_gain", m.get("norm_gain", False), False),
                              ("train.deep_supervision", t.get("deep_supervision", False), False)):
            if val != ok:
                print(f"bench_torch: note: {name} = {val} is not modelled here (timed as {ok})", file=sys.stderr)
    for k in ("batch", "loops", "window", "d", "heads", "layers"):
        if getattr(a, k) is not None:
            cfg[k] = getattr(a, k)
    if a.d_ff is not None:
        cfg["d_ff"] = a.d_ff
    B, K, C, NH, L = cfg["batch"], cfg["loops"], cfg["d"], cfg["heads"], cfg["layers"]
    W = cfg["window"] or K
    Fh = cfg["d_ff"] or d_ff_auto(C)
    iters = a.iters or K
    T = 81
    threads = [int(x) for x in a.threads.split(",") if x]

    torch.manual_seed(1)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:
        pass
    model = Looped(C, NH, L, Fh)
    params = [p for p in model.parameters()]
    n_params = sum(p.numel() for p in params)
    decay = [p for p in params if p.dim() >= 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}], lr=1e-3, betas=(0.9, 0.95), eps=1e-8)
    ema = [p.detach().clone() for p in params]
    tokens = torch.randint(0, 10, (B, T))
    targets = torch.randint(1, 10, (B, T))
    flop_step, flop_fwd_train = flops(B, T, C, Fh, L, 10, K, W)
    _, flop_infer = flops(B, T, C, Fh, L, 10, iters, 0)

    def train_step():
        opt.zero_grad(set_to_none=True)
        logits = model(tokens, K, W)
        loss = F.cross_entropy(logits.reshape(-1, 10), targets.reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        if not a.no_ema:
            with torch.no_grad():
                torch._foreach_mul_(ema, 0.999)
                torch._foreach_add_(ema, [p.detach() for p in params], alpha=0.001)
        return loss.item()

    def infer():
        with torch.no_grad():
            return model(tokens, iters, 1)

    out = {"torch": torch.__version__, "batch": B, "seq_len": T, "d_model": C, "n_heads": NH,
           "n_layers": L, "d_ff": Fh, "loops": K, "window": W, "iters": iters, "reps": a.reps,
           "num_params": n_params, "gflop_per_sample_train": flop_step / B / 1e9,
           "gflop_per_sample_infer": flop_infer / B / 1e9, "train": None, "infer": None}
    def timed(fn, key, flop):
        """a.reps calls of fn: the median, fastest and median CPU seconds per call (key_s,
        key_min_s, key_cpu_s) and the rates at the median and the fastest."""
        ts, tc = [], []
        for _ in range(a.reps):
            c0 = time.process_time()
            t0 = time.perf_counter()
            fn()
            ts.append(time.perf_counter() - t0)
            tc.append(time.process_time() - c0)
        s = statistics.median(ts)
        return {f"{key}_s": s, "samples_per_s": B / s, "gflops": flop / s / 1e9, f"{key}_min_s": min(ts),
                "best_samples_per_s": B / min(ts), f"{key}_cpu_s": statistics.median(tc)}

    def best_of(by):
        """The numbers of the fastest thread count, that count, and every count's rate."""
        if not by:
            return None
        best = max(by, key=lambda t: by[t]["samples_per_s"])
        return dict(by[best], best_threads=best, by_threads={str(k): v["samples_per_s"] for k, v in by.items()})

    train_by, infer_by = {}, {}
    for nt in threads:
        torch.set_num_threads(nt)
        if not a.skip_train:
            for _ in range(2):
                train_step()
            train_by[nt] = timed(train_step, "step", flop_step)
            s = train_by[nt]["step_s"]
            print(f"bench_torch: {nt} threads: train {s:.3f} s/step, {B / s:.2f} samples/s", file=sys.stderr)
        if not a.skip_infer:
            infer()
            infer_by[nt] = timed(infer, "forward", flop_infer)
            s = infer_by[nt]["forward_s"]
            print(f"bench_torch: {nt} threads: infer {s:.3f} s/batch at {iters} loops, {B / s:.2f} samples/s",
                  file=sys.stderr)
    out["train"], out["infer"] = best_of(train_by), best_of(infer_by)
    out["peak_rss_bytes"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps(out))


if __name__ == "__main__":
    main()
