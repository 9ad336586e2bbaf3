"""Lab `emergence`: emergent abilities, and why they may be a mirage (Schaeffer et al. 2023).

    lmdojo-cli lab emergence WS --json                       # defaults: the README's Labs table
    lmdojo-cli lab emergence WS --set digits=5 --set steps=1500

The task is multi-digit addition, made up on the fly ("0123+4567=" → the sum), written with the lab's
own character-level tokenizer (the digits, "+", "=" and a padding token), so the lab needs nothing
from the workspace but a place for its report (WS/labs/emergence-TIMESTAMP/). Operands are
zero-padded to `digits` digits and the answer to digits+1; with `reverse` the answer is written
least-significant digit first ("0123+4567=0964" for 4690), the order in which a left-to-right model
can carry, which small models learn far more easily.

A sweep of model sizes (`models`, "LAYERSxWIDTH" each) is trained from scratch on the same number of
problems (same steps, same batch: equal training tokens), the loss on the answer's tokens only. Each is
scored on the same held-out problems (never seen in training) three ways: exact match of the whole
greedy answer (all-or-nothing), per-digit accuracy of the greedy answer (each answer position right or
wrong on its own) and the per-token loss of the right answer (teacher-forced cross-entropy, nats).
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass
from typing import Iterator

import numpy as np

from engine.config import knob
from engine.errors import ConfigError
from engine.events import Control, Finished, Log, Progress
from engine.labs.common import threads_set
from engine.labs.emergence_report import ABOUT, MIRAGE_GAP, MIRAGE_SHARPNESS, TITLE, write_report  # noqa: F401 (the face)
from engine.model import n_layers

PAD, PLUS, EQ = 10, 11, 12  # tokens: 0-9 are the digits
VOCAB = 13
CHARS = "0123456789_+="


@dataclass
class Config:
    digits: int = knob(3, "Digits of each operand (zero-padded); the answer has one more.", min=1, max=12)
    # answers in the usual order: the leading digit needs every carry, the last none, so the positions
    # are learned one after another as models grow (per-digit accuracy climbs while exact match waits);
    # reversed, every position is the same step and the models learn them all at once, or none
    reverse: bool = knob(
        False, "Write the answer least-significant digit first (the order of carrying: easier to learn)."
    )
    reverse_operands: bool = knob(
        False,
        "Write the operands least-significant digit first too, so each answer digit sits a fixed distance "
        "after the digits it adds (position-relative attention finds them quickly).",
    )
    models: str = knob(
        "1x16,2x24,2x32,2x48,2x64",
        "Model sizes of the sweep, LAYERSxWIDTH, comma-separated (heads: width/16, or width/8 when narrower).",
    )
    steps: int = knob(4000, "Optimizer steps of every model (the same training problems for every size).", min=1)
    batch_size: int = knob(64, "Problems per step.", min=1, max=4096)
    lr: float = knob(3e-3, "Peak learning rate (AdamW; warmup, then cosine decay to a tenth).", min=1e-5, max=0.1)
    eval_problems: int = knob(1000, "Held-out problems every model is scored on.", min=10, max=100_000)
    seed: int = knob(0, "Seed of the problems, the initialisation and the data order.")
    threads: int = knob(1, "CPU threads for torch (1 is fastest for tiny models on a shared machine).", min=0, max=256)


SMALLEST = {"digits": 2, "models": "1x8,1x16,2x16", "steps": 25, "batch_size": 16, "eval_problems": 40}


# ------------------------------------------------------------------------------------------ the task


def answer_digits(a: int, b: int, digits: int, reverse: bool) -> str:
    """The answer string of a+b: digits+1 digits, zero-padded, reversed with `reverse`."""
    s = str(a + b).zfill(digits + 1)
    return s[::-1] if reverse else s


def problem_text(a: int, b: int, digits: int, reverse: bool, reverse_operands: bool = False) -> str:
    """ "0123+4567=" + the answer, e.g. "0123+4567=04690" (or "09640" reversed); with `reverse_operands`
    the operands too are written least-significant digit first ("3210+7654=09640")."""
    x, y = str(a).zfill(digits), str(b).zfill(digits)
    if reverse_operands:
        x, y = x[::-1], y[::-1]
    return f"{x}+{y}={answer_digits(a, b, digits, reverse)}"


def encode(text: str) -> list[int]:
    return [CHARS.index(c) for c in text]


def decode(ids) -> str:
    return "".join(CHARS[int(i)] for i in ids)


def score(predicted: str, right: str) -> tuple[float, float]:
    """(exact match, share of answer positions right) of one predicted answer: "589" against "579"
    -> (0.0, 2/3). A missing or extra character counts as a wrong position."""
    n = len(right)
    hits = sum(p == r for p, r in zip(predicted, right))
    return float(predicted == right), hits / n if n else 1.0


def make_problems(n: int, digits: int, rng: np.random.Generator, exclude: np.ndarray | None = None):
    """n problems (a, b) with a, b uniform in [0, 10^digits), none of them in `exclude` (pair codes a·10^d+b)."""
    hi = 10**digits
    a = rng.integers(0, hi, n, dtype=np.int64)
    b = rng.integers(0, hi, n, dtype=np.int64)
    if exclude is not None and len(exclude):
        bad = np.isin(a * hi + b, exclude)
        while bad.any():  # resample the few that collide with held-out problems
            a[bad] = rng.integers(0, hi, int(bad.sum()), dtype=np.int64)
            b[bad] = rng.integers(0, hi, int(bad.sum()), dtype=np.int64)
            bad = np.isin(a * hi + b, exclude)
    return a, b


def tensorize(a: np.ndarray, b: np.ndarray, digits: int, reverse: bool, reverse_operands: bool = False) -> np.ndarray:
    """Token ids (n, 3·digits+3) of the problems, vectorised: operands, "+", "=", the answer."""
    n = len(a)
    out = np.empty((n, 3 * digits + 3), dtype=np.int64)
    powers = 10 ** np.arange(digits, -1, -1, dtype=np.int64)  # most significant first
    for j in range(digits):
        p = powers[digits - j] if reverse_operands else powers[j + 1]
        out[:, j] = (a // p) % 10
        out[:, digits + 1 + j] = (b // p) % 10
    out[:, digits] = PLUS
    out[:, 2 * digits + 1] = EQ
    s = a + b
    ans = np.stack([(s // p) % 10 for p in powers], axis=1)
    out[:, 2 * digits + 2 :] = ans[:, ::-1] if reverse else ans
    return out


def parse_sizes(text: str) -> list[tuple[int, int]]:
    sizes = []
    for part in text.replace(" ", "").split(","):
        if not part:
            continue
        try:
            layers, width = (int(x) for x in part.lower().split("x"))
        except ValueError:
            raise ConfigError(f"models: {part!r} is not LAYERSxWIDTH (e.g. 2x64)") from None
        if layers < 1 or width < 8 or width % 8:
            raise ConfigError(f"models: {part!r} needs at least 1 layer and a width that is a multiple of 8")
        sizes.append((layers, width))
    if len(sizes) < 2:
        raise ConfigError("models: give at least two model sizes")
    return sizes


def sharpness(values: list[float]) -> float:
    """How abrupt a curve over the sizes is: its largest rise between neighbouring sizes as a share of its
    total rise (its highest value minus its lowest). 1 = all of it in one step; 1/(sizes−1) = rising evenly
    over the sizes; 0 when it does not rise."""
    rise = max(values) - min(values)
    if rise <= 1e-9:
        return 0.0
    return float(max(0.0, *(b - a for a, b in zip(values, values[1:]))) / rise)


# ------------------------------------------------------------------------------------------ models


def _heads(d: int) -> int:
    return d // 16 if d % 16 == 0 else max(1, d // 8)


def _model(layers: int, width: int, digits: int):
    from engine.model import GPT, GPTConfig

    return GPT(
        GPTConfig(vocab_size=VOCAB, block_size=3 * digits + 3, n_layer=layers, n_head=_heads(width), n_embd=width)
    )


def params_of(layers: int, width: int, digits: int) -> int:
    return _model(layers, width, digits).num_params()


def evaluate(model, problems: np.ndarray, digits: int) -> dict:
    """Greedy answers of the held-out problems: exact match, per-digit accuracy (overall and per answer
    position), and the teacher-forced per-token loss of the right answer."""
    import torch
    import torch.nn.functional as F

    x = torch.from_numpy(problems)
    start, L = 2 * digits + 2, digits + 1
    model.eval()
    with torch.no_grad():
        logits, _ = model(x[:, :-1])
        ans_logits = logits[:, start - 1 :].float()  # the positions that predict the answer
        loss = F.cross_entropy(ans_logits.reshape(-1, VOCAB), x[:, start:].reshape(-1)).item()
        seq = x[:, :start]
        for _ in range(L):
            nxt, _ = model(seq, last_only=True)
            seq = torch.cat([seq, nxt[:, -1, :10].argmax(-1, keepdim=True)], dim=1)  # digits only
    model.train()
    right = (seq[:, start:] == x[:, start:]).numpy()
    return {
        "exact_match": float(right.all(1).mean()),
        "step_accuracy": float(right.mean()),
        "answer_loss": float(loss),
        "position_accuracy": [round(float(v), 4) for v in right.mean(0)],
        "examples": [decode(seq[i, start:].tolist()) for i in range(min(5, len(seq)))],
    }


def train_one(model, train_batches, cfg: Config, control: Control, digits: int):
    """Train on the answer tokens only; yields nothing, returns False when cancelled."""
    import torch

    from engine.losses import IGNORE_INDEX

    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, betas=(0.9, 0.98), weight_decay=0.0)
    warm = max(1, min(100, cfg.steps // 10))
    start = 2 * digits + 2
    for step in range(cfg.steps):
        if control.should_stop():
            return False
        if step < warm:
            lr = cfg.lr * (step + 1) / warm
        else:
            t = (step - warm) / max(1, cfg.steps - warm)
            lr = cfg.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * t)))
        for g in opt.param_groups:
            g["lr"] = lr
        x = torch.from_numpy(train_batches(step))
        y = x[:, 1:].clone()
        y[:, : start - 1] = IGNORE_INDEX  # the loss is on the answer only
        loss, _ = model(x[:, :-1], targets=y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=True)
    return True


# ------------------------------------------------------------------------------------------ run


def run(ws, cfg: Config | None = None, control: Control | None = None) -> Iterator:
    import torch

    cfg = cfg or Config()
    control = control or Control()
    sizes = parse_sizes(cfg.models)
    d = cfg.digits
    t0 = time.perf_counter()
    rng = np.random.default_rng(cfg.seed)
    ea, eb = make_problems(cfg.eval_problems, d, rng)
    held_out = tensorize(ea, eb, d, cfg.reverse, cfg.reverse_operands)
    codes = np.unique(ea * 10**d + eb)
    n_train = cfg.steps * cfg.batch_size
    ta, tb = make_problems(n_train, d, rng, exclude=codes)
    train = tensorize(ta, tb, d, cfg.reverse, cfg.reverse_operands)
    distinct = len(np.unique(ta * 10**d + tb))
    yield Log(
        f"{d}-digit addition, answers {'reversed' if cfg.reverse else 'in the usual order'}: "
        f"{n_train:,} training problems ({distinct:,} distinct), {len(held_out):,} held out; "
        f"{len(sizes)} model sizes x {cfg.steps} steps"
    )

    rows: list[dict] = []
    t_train = time.perf_counter()
    seq_tokens = train.shape[1] - 1
    with threads_set(cfg.threads):
        for k, (layers, width) in enumerate(sizes):
            if control.should_stop():
                break
            torch.manual_seed(cfg.seed)
            model = _model(layers, width, d)
            n = model.num_params()
            yield Log(f"model {k + 1}/{len(sizes)}: {n_layers(layers)} x {width} wide, {n:,} params")
            ts = time.perf_counter()
            ok = train_one(model, lambda s: train[s * cfg.batch_size : (s + 1) * cfg.batch_size], cfg, control, d)
            if not ok:
                break
            secs = time.perf_counter() - ts
            r = evaluate(model, held_out, d)
            rows.append({"n_layer": layers, "n_embd": width, "params": n, **r, "seconds": round(secs, 1)})
            yield Log(
                f"  exact {r['exact_match']:.1%}, per-digit {r['step_accuracy']:.1%}, "
                f"answer loss {r['answer_loss']:.3f} ({secs:.0f} s)"
            )
            el = time.perf_counter() - t_train
            tokens = (k + 1) * n_train * seq_tokens
            yield Progress(
                k + 1,
                len(sizes),
                tokens,
                tokens / max(el, 1e-9),
                el,
                el / (k + 1) * (len(sizes) - k - 1),
                unit="models",
            )
    if len(rows) < len(sizes):
        yield Finished("cancelled", {"report": None, "runs": rows})
        return

    numbers = _analyse(rows, cfg)
    numbers.update(
        seconds=round(time.perf_counter() - t0, 1), training_problems=n_train, distinct_training_problems=distinct
    )

    path = write_report(ws, rows, numbers, cfg, problem_text, VOCAB)
    yield Log(f"report: {path}")
    yield Finished("done", {"report": str(path), **numbers})


def _analyse(rows: list[dict], cfg: Config) -> dict:
    em = [r["exact_match"] for r in rows]
    acc = [r["step_accuracy"] for r in rows]
    loss = [r["answer_loss"] for r in rows]
    s_em, s_acc = sharpness(em), sharpness(acc)
    s_loss = sharpness([-v for v in loss])
    L = cfg.digits + 1
    gap = max(abs(e - a**L) for e, a in zip(em, acc))
    return {
        "sizes": [r["params"] for r in rows],
        "shapes": [f"{r['n_layer']}x{r['n_embd']}" for r in rows],
        "exact_match": em,
        "step_accuracy": acc,
        "answer_loss": loss,
        "sharpness": {
            "exact_match": round(s_em, 3),
            "step_accuracy": round(s_acc, 3),
            "answer_loss": round(s_loss, 3),
            "ratio": round(s_em / s_acc, 3) if s_acc > 0 else None,
        },
        "answer_digits": L,
        # how far exact match strays from what independent digits would give; with gradual per-digit
        # accuracy and a small gap, the jump is the metric's (Schaeffer et al.)
        "independence_gap": round(gap, 4),
        "mirage": bool(s_acc < MIRAGE_SHARPNESS and gap <= MIRAGE_GAP),
        "config": asdict(cfg),
        "runs": rows,
    }
