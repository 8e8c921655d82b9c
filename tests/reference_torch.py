#!/usr/bin/python3
"""reference_torch.py — loopt's loss and gradients recomputed by PyTorch autograd (issue 14).

    /usr/bin/python3 tests/reference_torch.py [--loss-tol X] [--grad-tol X] DUMP...

Each DUMP is written by `loopt gradcheck CONFIG --dump DUMP`: the weights (checkpoint names
and shapes), the batch (tokens, targets), loopt's loss (loss, loss.ce, ponder) and loopt's
analytic gradient of every parameter (grad.NAME), from one forward + backward with halting
decisions as loopt's forward made them (n_halt, act). The resolved config comes from the
file's __metadata__, as in a checkpoint. This script rebuilds the model from the config alone
(docs/engine.md, docs/schemes.md; nothing is shared with the C code), runs it in float64, and
compares: the finite-difference check (`loopt gradcheck`) cannot see a forward pass that is
consistently wrong, this can.

Errors: loss terms |loopt - torch| / |torch|; per gradient tensor g, max|loopt - torch| /
max(max|g|, 1e-3 x the largest |gradient| of the model). One line per quantity; exit 0 if all
are within tolerance, 1 if not, 77 without torch.
Self-contained: json, struct and torch (Debian's python3-torch) only.
"""
import argparse
import json
import math
import struct
import sys

try:
    import torch
    import torch.nn.functional as F
except ImportError:
    print("reference_torch: python3-torch is missing (apt-get install python3-torch): nothing checked")
    sys.exit(77)

LOSS_TOL = 1e-6   # relative, on loss, loss.ce and ponder (measured: below 6e-8)
GRAD_TOL = 1e-4   # max |error| / max |gradient| per tensor (measured: below 9e-6)
EPS = 1e-5        # RMSNorm epsilon (NORM_EPS in model.h)
# trm/hrm's initial states: drawn at init, never trained. They enter a supervision step only
# through the state that enters its kept updates, which backprop treats as a constant, so their
# gradient is zero by construction (as in TRM's and HRM's code, where they are buffers).
FIXED_BUFFERS = ("yinit", "zinit")
DT = torch.float64

# ---- the dump ------------------------------------------------------------------------------

DTYPES = {"F32": torch.float32, "F64": torch.float64, "I32": torch.int32, "I64": torch.int64,
          "U32": torch.int32, "U8": torch.uint8}


def read_safetensors(path):
    """{name: tensor}, {metadata}. Floats come back as float64, integers as int64."""
    with open(path, "rb") as f:
        buf = f.read()
    (n,) = struct.unpack("<Q", buf[:8])
    header = json.loads(buf[8:8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {})
    data = buf[8 + n:]
    out = {}
    for name, e in header.items():
        b, end = e["data_offsets"]
        dt = DTYPES[e["dtype"]]
        t = torch.frombuffer(bytearray(data[b:end]), dtype=dt) if end > b else torch.zeros(0, dtype=dt)
        t = t.reshape(e["shape"])
        out[name] = t.to(DT) if t.is_floating_point() else t.long()
    return out, meta


# ---- the task: coordinates of each puzzle position (taskmodel.c task_shape) ---------------

def task_coords(cfg):
    """(S, A) coordinates and the table rows per axis: Sudoku row, column, box; maze row, column."""
    if cfg["task"] == "sudoku":
        rows = [[t // 9, t % 9, (t // 27) * 3 + (t % 9) // 3] for t in range(81)]
        return torch.tensor(rows), [9, 9, 9]
    n = cfg["data"]["maze_size"]
    return torch.tensor([[t // n, t % n] for t in range(n * n)]), [n, n]


# ---- the model -----------------------------------------------------------------------------

def rms(x, g=None):
    y = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + EPS)
    return y if g is None else y * g


def swiglu(h):
    gate, up = h.chunk(2, dim=-1)   # [gate | up]
    return F.silu(gate) * up


class Model:
    def __init__(self, cfg, params, B):
        self.cfg, self.p, self.B = cfg, params, B
        mc = cfg["model"]
        self.C, self.NH, self.L = mc["d_model"], mc["n_heads"], mc["n_layers"]
        self.M = mc["memory_tokens"]
        self.pre = mc["norm"] == "pre"
        coords, self.axis_size = task_coords(cfg)
        self.S, self.A = coords.shape
        self.T = self.M + self.S
        self.coords = coords
        # (T, A) raw coordinates, -1 for memory tokens (rope leaves them unrotated)
        self.pos = torch.cat([torch.full((self.M, self.A), -1, dtype=torch.long), coords])
        if mc["mixer"] == "local":
            self.nbr = self.neighbours()
        self.convswiglu = mc.get("ffn", "swiglu") == "convswiglu"
        self.K = mc.get("conv_kernel", 2)
        self.grid = mc.get("conv_axis", "sequence") == "grid"

    def get(self, name, lp=None):
        t = self.p.get(name)
        return t if t is None or lp is None else t[lp]

    def neighbours(self):
        """(T, 9) position at grid offset (k // 3 - 1, k % 3 - 1) on rows and columns, -1 off the grid."""
        H = int(self.pos[:, 0].max()) + 1
        W = int(self.pos[:, 1].max()) + 1
        at = {(int(r), int(c)): t for t, (r, c) in enumerate(self.pos[:, :2].tolist())}
        nbr = [[at.get((r + k // 3 - 1, c + k % 3 - 1), -1) if 0 <= r + k // 3 - 1 < H and 0 <= c + k % 3 - 1 < W
                else -1 for k in range(9)] for r, c in self.pos[:, :2].tolist()]
        return torch.tensor(nbr)

    def embed(self, tokens):
        """(B, T, C): wte[token] + the coordinate tables; memory rows wmem."""
        e = self.p["wte"][tokens]
        if self.cfg["model"]["positions"] == "coords":
            off = 0
            for a in range(self.A):
                e = e + self.p["wcoord"][off + self.coords[:, a]]
                off += self.axis_size[a]
        if self.M:
            e = torch.cat([self.p["wmem"].expand(self.B, self.M, self.C), e], dim=1)
        return e

    def rope(self, x):
        """x (B, T, NH, hs): pairs (2p, 2p+1) of each head in A groups, one per axis (ops.c rope_apply)."""
        hs = x.shape[-1]
        npairs = hs // 2
        P = npairs // self.A
        base = self.cfg["model"]["rope_base"]
        ang = torch.zeros(self.T, npairs, dtype=DT)
        for a in range(self.A):
            first = a * P
            Pa = npairs - first if a == self.A - 1 else P
            freq = torch.tensor([base ** (-i / Pa) for i in range(Pa)], dtype=DT)
            pos = self.pos[:, a].to(DT).clamp(min=0)   # < 0: unrotated (angle 0)
            ang[:, first:first + Pa] = pos[:, None] * freq[None, :]
        c, s = ang.cos()[None, :, None, :], ang.sin()[None, :, None, :]
        x0, x1 = x[..., 0::2], x[..., 1::2]
        return torch.stack([x0 * c - x1 * s, x0 * s + x1 * c], dim=-1).flatten(-2)

    def attention(self, x, lp):
        B, T, C, NH = self.B, self.T, self.C, self.NH
        hs = C // NH
        q, k, v = (x @ self.p["wqkv"][lp].T).split(C, dim=-1)
        q, k, v = (t.reshape(B, T, NH, hs) for t in (q, k, v))
        if self.cfg["model"]["positions"] == "rope":
            q, k = self.rope(q), self.rope(k)
        if self.cfg["model"]["mixer"] == "local":
            y = self.local(q, k, v, self.p["wrel"][lp])
        else:
            q, k, v = (t.transpose(1, 2) for t in (q, k, v))   # (B, NH, T, hs)
            att = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(hs), dim=-1)
            y = (att @ v).transpose(1, 2)
        return y.reshape(B, T, C) @ self.p["wo"][lp].T

    def local(self, q, k, v, bias):
        """Attention over the 3x3 neighbourhood: score = q.k / sqrt(hs) + bias[head, offset]."""
        valid = self.nbr >= 0                             # (T, 9)
        idx = self.nbr.clamp(min=0)
        kn, vn = k[:, idx], v[:, idx]                     # (B, T, 9, NH, hs)
        s = (q[:, :, None] * kn).sum(-1) / math.sqrt(q.shape[-1]) + bias.T[None, None]   # (B, T, 9, NH)
        s = s.masked_fill(~valid[None, :, :, None], float("-inf"))
        a = torch.softmax(s, dim=2)
        return (a[..., None] * vn).sum(2)                 # (B, T, NH, hs)

    def tokenmix(self, x, lp):
        """SwiGLU across positions, the same for every channel (tokenmix.c)."""
        th = torch.einsum("btc,ft->bcf", x, self.p["wtfc"][lp])     # (B, C, 2Ft)
        return torch.einsum("tf,bcf->btc", self.p["wtproj"][lp], swiglu(th))

    def tokconv(self, h, w, b):
        """ConvSwiGLU's token convolution of h (B, T, F), weights w (F, Kc), bias b (F): causal and
        depthwise. "sequence": PyTorch's Conv1d over the positions in order (memory tokens first),
        K − 1 zeros in front, cropped; "grid": Conv2d over the puzzle's (rows, columns), (K − 1)
        zeros before each axis, cropped; a memory token only scales itself by its last tap."""
        B, T, Fd = h.shape
        K = self.K
        if not self.grid:
            y = F.conv1d(F.pad(h.transpose(1, 2), (K - 1, 0)), w[:, None, :], b, groups=Fd)
            return y.transpose(1, 2)
        H = int(self.coords[:, 0].max()) + 1
        Wd = int(self.coords[:, 1].max()) + 1
        grid = h.new_zeros(B, Fd, H, Wd)
        r, c = self.coords[:, 0], self.coords[:, 1]
        grid[:, :, r, c] = h[:, self.M:].transpose(1, 2)
        y = F.conv2d(F.pad(grid, (K - 1, 0, K - 1, 0)), w.reshape(Fd, 1, K, K), b, groups=Fd)
        out = y[:, :, r, c].transpose(1, 2)                        # (B, S, F)
        mem = h[:, :self.M] * w[:, -1] + b                         # memory tokens: their own tap
        return torch.cat([mem, out], dim=1)

    def ffn(self, x, lp):
        """SwiGLU, or URM's ConvSwiGLU: down(SiLU(conv(SiLU(gate) ⊙ up)))."""
        h = swiglu(x @ self.p["wfc"][lp].T)
        if self.convswiglu:
            h = F.silu(self.tokconv(h, self.p["wconv"][lp], self.p["bconv"][lp]))
        return h @ self.p["wproj"][lp].T

    def block(self, x, part):
        """L layers of weight set `part` (model.c block_forward), post- or pre-norm."""
        for l in range(self.L):
            lp = part * self.L + l
            g1, g2 = self.get("ln1g", lp), self.get("ln2g", lp)
            mix = self.tokenmix if self.cfg["model"]["mixer"] == "mlp" else self.attention
            mlp = lambda h: self.ffn(h, lp)   # noqa: E731
            if self.pre:
                r1 = x + mix(rms(x, g1), lp)
                x = r1 + mlp(rms(r1, g2))
            else:
                n1 = rms(x + mix(x, lp), g1)
                x = rms(n1 + mlp(n1), g2)
        return x

    def head(self, out):
        return (rms(out, self.get("lnfg")) if self.pre else out) @ self.p["wout"].T


def ce_sum(cfg, logits, targets):
    """Σ cross-entropy over positions with a target >= 0 (loss.c), softmax or stable-max."""
    keep = targets >= 0
    x, y = logits[keep], targets[keep]
    if cfg["train"]["loss"] == "stablemax":
        s = torch.where(x >= 0, x + 1, 1 / (1 - x.clamp(max=0)))
        return (s.sum(-1).log() - s.gather(1, y[:, None]).squeeze(1).log()).sum()
    return F.cross_entropy(x, y, reduction="sum")


# ---- scheme "loop" (loop.c, halting.c) -----------------------------------------------------

def forward_loop(m, d, tokens, targets, report, tol):
    cfg = m.cfg
    K = cfg["recursion"]["loops"]
    W = cfg["recursion"]["window"] or K
    act = cfg["halting"]["kind"] == "act"
    deep = cfg["train"]["deep_supervision"] and not act
    n_halt = d["n_halt"] if act else None
    k_last = int(n_halt.max()) if act else K
    start = max(1, k_last - W + 1)   # loops before it run forward only (truncated backprop)
    e = m.embed(tokens)
    N = m.B * m.T
    n_t = int((targets >= 0).sum())
    h = mix = None
    cum = torch.zeros(m.B, m.T, dtype=DT)
    ponder = torch.zeros(m.B, m.T, dtype=DT)
    deep_sum, wrong = 0.0, 0
    thr = cfg["halting"]["threshold"]
    for k in range(1, k_last + 1):
        with torch.set_grad_enabled(k >= start):
            u = e if k == 1 else (h + e if cfg["model"]["input_injection"] else h)
            y = m.block(u, 0)
            if act:   # halting decisions frozen as loopt's forward made them
                p = torch.sigmoid(y @ m.p["whalt"] + m.p["bhalt"][0])
                active, halts = k <= n_halt, k == n_halt
                # the decision this forward would make itself: tell a disagreement, beyond rounding
                would = (cum + p >= thr) | (k == K)
                margin = (cum + p - thr).abs() > 1e-5
                wrong += int((active & (would != halts) & margin).sum())
                w = torch.where(halts, 1 - cum, p) * active
                mix = w[..., None] * y if mix is None else mix + w[..., None] * y
                cum = cum + w
                ponder = ponder + torch.where(halts, k + w, torch.zeros_like(w))
                h = torch.where(active[..., None], y, h) if h is not None else y
            else:
                h = y
                if deep and k >= start and k < k_last:
                    deep_sum = deep_sum + ce_sum(cfg, m.head(h), targets)
    last = ce_sum(cfg, m.head(mix if act else h), targets)
    ce = last / n_t
    pon = ponder.sum() / N if act else torch.tensor(float(k_last), dtype=DT)
    loss = ce + cfg["halting"]["ponder_cost"] * pon if act else ce
    if deep:
        loss = (deep_sum + last) / n_t / (k_last - start + 1)
    if act:
        report("n_halt", float(wrong), float(m.B * m.T), "positions halted otherwise than this forward would", 0)
    return loss, ce, pon, (k_last, start)


# ---- schemes "trm" and "hrm" (recur.c) -----------------------------------------------------

def supervision_step(m, e, y, z, grad_from):
    """Cy cycles of n z-updates z = f_0(z + y + x) and one y-update y = f_{P-1}(y + z); update
    number >= grad_from (counted over the step) keeps gradient, the rest are constants."""
    rc = m.cfg["recursion"]
    trm = rc["scheme"] == "trm"
    n = rc["trm"]["n"] if trm else rc["hrm"]["k"]
    cycles = rc["trm"]["T"] if trm else rc["hrm"]["N"]
    P = 2 if not trm and not rc["hrm"]["shared"] else 1
    i = 0
    for _ in range(cycles):
        for a in range(n + 1):
            with torch.set_grad_enabled(i >= grad_from):
                if a < n:
                    z = m.block(z + y + e, 0)
                else:
                    y = m.block(y + z, P - 1)
            i += 1
    return y, z


def forward_recur(m, d, tokens, targets, report, tol):
    cfg = m.cfg
    rc = cfg["recursion"]
    trm = rc["scheme"] == "trm"
    n = rc["trm"]["n"] if trm else rc["hrm"]["k"]
    cycles = rc["trm"]["T"] if trm else rc["hrm"]["N"]
    G = n + 1 if trm else 2   # updates with gradient: trm the last cycle, hrm the one-step gradient
    apps = cycles * (n + 1)
    e = m.embed(tokens)
    y = m.p["yinit"].expand(m.B, m.T, m.C)   # fixed buffers (constants)
    z = m.p["zinit"].expand(m.B, m.T, m.C)
    S = rc["n_sup"]
    for s in range(1, S + 1):   # every step but the last without gradient; (y, z) carried
        y, z = supervision_step(m, e, y, z, apps - G if s == S else apps)
    logits = m.head(y)
    n_t = int((targets >= 0).sum())
    ce = ce_sum(cfg, logits, targets) / n_t
    loss = ce
    kind = cfg["halting"]["kind"]
    if "whalt" in m.p:
        wh = m.p["whalt"].reshape(-1, m.C)
        q = y[:, 0] @ wh.T + m.p["bhalt"]                 # (B, rows) from position 0
        keep = targets >= 0
        best = logits.max(-1).values
        tgt_logit = logits.gather(-1, targets.clamp(min=0)[..., None]).squeeze(-1)
        right = ((tgt_logit >= best) | ~keep).all(-1).to(DT)   # every target cell right
        hl = F.binary_cross_entropy_with_logits(q[:, 0], right, reduction="sum")
        if kind == "q":   # q_continue's target: one more step without gradient, the last allowed
            with torch.no_grad():
                y2, _ = supervision_step(m, e, y.detach(), z.detach(), apps)
                target = torch.sigmoid(y2[:, 0] @ wh[0] + m.p["bhalt"][0])
            report("q_target", *max_rel(d["q_target"], target), "relative to max", tol)
            hl = hl + F.binary_cross_entropy_with_logits(q[:, 1], target, reduction="sum")
        loss = ce + 0.5 * hl / m.B
    return loss, ce, torch.tensor(float(S), dtype=DT), (S, S)   # S steps, the last with gradient


# ---- scheme "huginn" (huginn.c) ---------------------------------------------------------------

def forward_huginn(m, d, tokens, targets, report, tol):
    """e = prelude(x); s_0 from the dump; s_k = core(wadapt . [s_{k-1} ; e]) for k = 1 .. r, the
    loops before the window without gradient; logits = head(coda(s_r)). Weight sets: 0 the core,
    1 .. P the prelude's blocks, then the coda's. r is the depth loopt ran (gradcheck.loops_run:
    recursion.loops here; a training step's is sampled from its seed and step)."""
    cfg = m.cfg
    rc, hg = cfg["recursion"], cfg["recursion"]["huginn"]
    r = int(m.meta["gradcheck.loops_run"])
    W = rc["window"] or r
    start = max(1, r - W + 1)
    P, Pc = hg["prelude"], hg["coda"]
    s0 = d["huginn.s0"]                               # (B, T, C), a constant
    std = hg["noise_std"]
    # s_0 is TruncNormal(0, std^2) cut at 3 std: no entry beyond it, and the spread of one
    bound = float(s0.abs().max()) - 3 * std * (1 + 1e-6)
    report("s0_bound", max(bound, 0.0), 3 * std, "max |s_0| beyond 3 noise_std", 0)
    want = std * 0.98658 if std > 0 else 0.0          # the std of a standard normal cut at +-3
    spread = abs(float(s0.std()) - want) / max(want, 1e-30) if std > 0 else float(s0.abs().max())
    report("s0_std", spread, want, "relative to the truncated normal's std (sampling noise)", 0.1)
    e = m.embed(tokens)
    for i in range(P):
        e = m.block(e, 1 + i)
    wa = m.p["wadapt"]                                # (C, 2C): [state | prelude]
    s = s0
    for k in range(1, r + 1):
        with torch.set_grad_enabled(k >= start):
            s = m.block(torch.cat([s, e], dim=-1) @ wa.T, 0)
    for j in range(Pc):
        s = m.block(s, 1 + P + j)
    ce = ce_sum(cfg, m.head(s), targets) / int((targets >= 0).sum())
    return ce, ce, torch.tensor(float(r), dtype=DT), (r, start)


# ---- comparison ----------------------------------------------------------------------------

def max_rel(got, ref, floor=0.0):
    """max |got - ref| / max(max |ref|, floor) (absolute when both are 0), and that scale."""
    scale = max(float(ref.abs().max()) if ref.numel() else 0.0, floor)
    err = float((got - ref).abs().max()) if ref.numel() else 0.0
    return (err / scale if scale > 0 else err), scale


def check(path, loss_tol, grad_tol):
    d, meta = read_safetensors(path)
    cfg = json.loads(meta["config"])
    names = [k for k in d if ("grad." + k) in d]
    params = {k: d[k].clone().requires_grad_(True) for k in names}
    # fixed buffers (model.h's decay column -1): constants of the model, with no gradient
    buffers = [k for k in FIXED_BUFFERS if k in d]
    params.update({k: d[k].clone() for k in buffers})
    tokens, targets = d["tokens"], d["targets"]
    B = tokens.shape[0]
    m = Model(cfg, params, B)
    tg = torch.cat([torch.full((B, m.M), -1, dtype=torch.long), targets], dim=1)
    ok = True

    def report(name, err, scale, note, tol):
        nonlocal ok
        good = err <= tol
        ok &= good
        print(f"  {name:<14} err {err:.2e}  ({note}, scale {scale:.2e})  {'ok' if good else 'FAIL'}")

    scheme = cfg["recursion"]["scheme"]
    print(f"reference: {path}: {cfg['task']}, scheme {scheme}, halting {cfg['halting']['kind']}, "
          f"mixer {cfg['model']['mixer']}, {sum(p.numel() for p in params.values())} parameters")
    m.meta = meta
    fwd = {"loop": forward_loop, "huginn": forward_huginn}.get(scheme, forward_recur)
    loss, ce, ponder, (run, start) = fwd(m, d, tokens, tg, report, grad_tol)
    if (str(run), str(start)) != (meta["gradcheck.loops_run"], meta["gradcheck.window_start"]):
        report("loops", 1.0, 0.0, f"loopt ran {meta['gradcheck.loops_run']} loops, window from "
               f"{meta['gradcheck.window_start']}; here {run}, {start}", 0)
    for name, t in (("loss", loss), ("loss.ce", ce), ("ponder", ponder)):
        ref = float(t)
        err = abs(float(d[name]) - ref) / max(abs(ref), 1e-30)
        report(name, err, abs(ref), "relative", loss_tol)
    for k in buffers:   # loopt must not claim a gradient for one (it would be trained)
        report(k, float(("grad." + k) in d), 0.0, "a fixed buffer: no grad." + k + " in the dump", 0)
    loss.backward()
    grads = {k: params[k].grad if params[k].grad is not None else torch.zeros_like(params[k]) for k in names}
    # a tensor whose gradient is small by cancellation (bhalt: a sum over positions) is judged
    # against a thousandth of the model's largest gradient entry, not against its own rounding
    floor = 1e-3 * max(float(g.abs().max()) for g in grads.values())
    for k in names:
        err, scale = max_rel(d["grad." + k], grads[k], floor)
        report("grad." + k, err, scale, "relative to max", grad_tol)
    print(f"reference: {path}: {'PASS' if ok else 'FAIL'} (loss tolerance {loss_tol:.0e}, "
          f"gradient tolerance {grad_tol:.0e})")
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dumps", nargs="+", help="files written by `loopt gradcheck CONFIG --dump FILE`")
    ap.add_argument("--loss-tol", type=float, default=LOSS_TOL)
    ap.add_argument("--grad-tol", type=float, default=GRAD_TOL)
    a = ap.parse_args()
    torch.set_num_threads(1)
    results = [check(p, a.loss_tol, a.grad_tol) for p in a.dumps]
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
