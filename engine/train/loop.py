"""What every training stage shares: device, optimizer, schedule, guards, checkpoints, the loop.

A stage (pretrain, sft, …) supplies a `Task`: where batches come from, how a batch's loss
is computed, how to evaluate and sample. `train()` then runs the same loop for all of them,
top to bottom: eval → sample → save → stop? → step → report.

Under torchrun (engine.train.dist) every rank runs this loop over the same global order of rows
and trains on its share of each step's rows; DDP averages the gradients, the numbers the loop
decides on are averaged over the ranks, and only rank 0 evaluates, samples and writes.
"""

from __future__ import annotations

import contextlib
import gc
import math
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Protocol

import numpy as np
import torch

from engine import checkpoint as ckpt
from engine.data.shards import EpochOrder, SamplerState
from engine.errors import CheckpointError, ConfigError, TrainingError
from engine.events import Checkpoint, Control, Finished, Log, Metrics, Phase, Progress, Sample
from engine.io.store import Store
from engine.train import dist

OOM_ERRORS = (torch.OutOfMemoryError,) if hasattr(torch, "OutOfMemoryError") else (torch.cuda.OutOfMemoryError,)


# -- machine ----------------------------------------------------------------------------------
def resolve_device(name: str = "auto") -> torch.device:
    """auto picks cuda > mps > cpu; an explicit device that is not there is an error.
    Under torchrun, each process takes the GPU of its local rank (or the CPU)."""
    ctx = dist.current()
    if ctx.world > 1:
        return _rank_device(name, ctx.local_rank)
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        if getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    try:
        dev = torch.device(name)
    except RuntimeError as e:  # torch.device("bogus"): bad input, said the same way by every command
        raise ConfigError(f"{name!r} is not a device: {e}") from None
    if dev.type == "cuda" and (not torch.cuda.is_available() or (dev.index or 0) >= torch.cuda.device_count()):
        raise ConfigError(f"device {name!r} is not available (CUDA devices: {torch.cuda.device_count()})")
    if dev.type == "mps" and not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
        raise ConfigError("device 'mps' is not available on this machine")
    return dev


def _rank_device(name: str, local_rank: int) -> torch.device:
    if name not in ("auto", "cuda", "cpu"):
        raise ConfigError(
            f"under torchrun the device is auto, cuda or cpu (each process takes the GPU of its "
            f"local rank), not {name!r}"
        )
    if name == "cpu" or (name == "auto" and not torch.cuda.is_available()):
        return torch.device("cpu")
    if local_rank >= torch.cuda.device_count():
        raise ConfigError(
            f"process {local_rank} on this node has no GPU of its own ({torch.cuda.device_count()} "
            "CUDA devices): start at most that many with --nproc_per_node"
        )
    return torch.device("cuda", local_rank)


def autocast_dtype(device: torch.device, dtype: str) -> torch.dtype | None:
    """bf16 autocast where the hardware has it (auto), or when asked; None means plain fp32."""
    if dtype == "fp32":
        return None
    if dtype == "bf16":
        return torch.bfloat16
    if device.type == "cuda" and torch.cuda.is_bf16_supported():
        return torch.bfloat16
    return None


def to_device(t: torch.Tensor, device: torch.device) -> torch.Tensor:
    """A CPU batch onto the training device; to a GPU from pinned memory without waiting, so the
    copy overlaps the work already queued."""
    if device.type == "cuda":
        return t.pin_memory().to(device, non_blocking=True)
    return t.to(device)


def build_optimizer(model: torch.nn.Module, lr: float, weight_decay: float, betas, device: torch.device):
    """AdamW; matrices decay, norms and biases do not. Fused kernels where the device has them."""
    params = [p for p in model.parameters() if p.requires_grad]
    decay = [p for p in params if p.dim() >= 2]
    no_decay = [p for p in params if p.dim() < 2]
    groups = [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]
    fused = device.type in ("cuda", "cpu")
    try:
        return torch.optim.AdamW(groups, lr=lr, betas=betas, fused=fused)
    except (RuntimeError, TypeError):
        return torch.optim.AdamW(groups, lr=lr, betas=betas)


# -- schedule and budget ----------------------------------------------------------------------
def lr_multiplier(step: int, progress: float, warmup_steps: int, decay_frac: float, min_lr_frac: float) -> float:
    """Warmup–stable–decay: linear warm-up, flat, then linear decay over the last `decay_frac`
    of the budget. `progress` in [0, 1] is the budget used (steps or time, whichever is further),
    so the same schedule works for a step budget and for a time budget."""
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    start = 1.0 - decay_frac
    if decay_frac > 0 and progress > start:
        frac = min(1.0, (progress - start) / decay_frac)
        return 1.0 - frac * (1.0 - min_lr_frac)
    return 1.0


@dataclass
class Budget:
    max_steps: int = 0
    max_seconds: float = 0.0

    def progress(self, step: int, elapsed: float) -> float:
        parts = []
        if self.max_steps:
            parts.append(step / self.max_steps)
        if self.max_seconds:
            parts.append(elapsed / self.max_seconds)
        return min(1.0, max(parts)) if parts else 0.0

    def done(self, step: int, elapsed: float) -> bool:
        return self.progress(step, elapsed) >= 1.0

    def eta(self, step: int, elapsed: float, steps_per_s: float) -> float | None:
        etas = []
        if self.max_steps and steps_per_s > 0:
            etas.append((self.max_steps - step) / steps_per_s)
        if self.max_seconds:
            etas.append(self.max_seconds - elapsed)
        return max(0.0, min(etas)) if etas else None


class SpikeGuard:
    """Skip an update whose loss or gradient norm is non-finite or `sigma` standard deviations
    above its rolling mean (OLMo-core's rule); stop after `max_bad` skips in a row."""

    def __init__(self, sigma: float, window: int, max_bad: int):
        self.sigma, self.window, self.max_bad = sigma, window, max_bad
        self.losses: deque[float] = deque(maxlen=window)
        self.norms: deque[float] = deque(maxlen=window)
        self.bad_in_row = 0

    def _spike(self, hist: deque, x: float) -> bool:
        if len(hist) < max(2, self.window // 2):  # as OLMo-core: judge only with half a window of history
            return False
        a = np.asarray(hist)
        return x > a.mean() + self.sigma * a.std()

    def check(self, loss: float, grad_norm: float) -> str | None:
        if not math.isfinite(loss):
            return "non-finite loss"
        if not math.isfinite(grad_norm):
            return "non-finite gradient"
        if self._spike(self.losses, loss):
            return "loss spike"
        if self._spike(self.norms, grad_norm):
            return "gradient-norm spike"
        return None

    def accept(self, loss: float, grad_norm: float):
        self.losses.append(loss)
        self.norms.append(grad_norm)
        self.bad_in_row = 0

    def reject(self) -> bool:
        """Count a skipped step; True when it is one too many."""
        self.bad_in_row += 1
        return self.bad_in_row >= self.max_bad

    def tensors(self) -> dict[str, torch.Tensor]:
        return {
            "guard.losses": torch.tensor(list(self.losses), dtype=torch.float64),
            "guard.norms": torch.tensor(list(self.norms), dtype=torch.float64),
            "guard.bad_in_row": torch.tensor([self.bad_in_row]),
        }

    def load(self, t: dict[str, torch.Tensor]):
        if "guard.losses" in t:
            self.losses = deque(t["guard.losses"].tolist(), maxlen=self.window)
            self.norms = deque(t["guard.norms"].tolist(), maxlen=self.window)
            self.bad_in_row = int(t["guard.bad_in_row"][0])


# -- the loop ---------------------------------------------------------------------------------
class Task(Protocol):
    """What a stage supplies to the shared loop."""

    tokens_per_row: int

    def next_rows(self, n: int) -> np.ndarray: ...  # the next n training sequences; advances
    def loss(self, model, rows: np.ndarray) -> tuple[torch.Tensor, torch.Tensor]: ...  # (main loss, aux loss)
    def evaluate(self, model) -> dict[str, float]: ...
    def samples(self, model, step: int) -> Iterable[tuple[str, str]]: ...
    def doc_ids(self, rows: np.ndarray) -> list[str]: ...
    def data_state(self) -> dict: ...
    def load_data_state(self, state: dict) -> None: ...


class OrderedRows:
    """The row bookkeeping of a task that walks a seeded EpochOrder `self.order` (resumable)."""

    order: EpochOrder

    def next_rows(self, n: int) -> np.ndarray:
        return self.order.take(n)

    def data_state(self) -> dict:
        return {"epoch": self.order.state.epoch, "cursor": self.order.state.cursor}

    def load_data_state(self, state: dict) -> None:
        self.order.state = SamplerState(int(state["epoch"]), int(state["cursor"]))


@dataclass
class Job:
    """Everything the loop needs, built by a stage."""

    run_id: str
    run_dir: Path
    cfg: object  # the stage config (has the optimisation, budget, guard and eval knobs)
    model: torch.nn.Module
    task: Task
    device: torch.device
    store: Store | None  # None on the ranks other than 0 under torchrun: rank 0 writes
    meta: dict  # stage, model_config, tokenizer_hash, … saved in every checkpoint
    resume_from: Path | None = None


def _train_state(step, tokens, elapsed, opt, guard, task) -> tuple[dict, dict]:
    tensors, groups = ckpt.optimizer_tensors(opt)
    tensors.update(ckpt.rng_tensors())
    tensors.update(guard.tensors())
    return tensors, {"tokens": tokens, "elapsed_s": elapsed, "param_groups": groups, "data": task.data_state()}


class _TaskLoss(torch.nn.Module):
    """The task's loss as a module's forward, so that DDP (which syncs what its forward used)
    can wrap it, while the task still gets the plain model: tasks read model.cfg, call a reward
    model's reward() or generate from the policy, none of which a DDP wrapper passes through."""

    def __init__(self, model: torch.nn.Module, task: Task):
        super().__init__()
        self.model, self.task = model, task

    def forward(self, rows):
        return self.task.loss(self.model, rows)


def _ddp(net: _TaskLoss, model: torch.nn.Module, device: torch.device):
    from torch.nn.parallel import DistributedDataParallel

    # A mixture of experts may route no token to some expert in a step; DDP must then look for
    # parameters without gradients, which costs a graph walk, so only then.
    moe = getattr(getattr(model, "cfg", None), "n_experts", 0) > 0
    return DistributedDataParallel(
        net, device_ids=[device.index] if device.type == "cuda" else None, find_unused_parameters=moe
    )


def _share(rows: np.ndarray, batch: int, ctx: dist.Dist) -> np.ndarray:
    """This rank's rows of a step: its 1/world of every micro-batch of `batch` rows. So with W ranks a
    step computes what one process does with batch_size/W and W times the accumulation, for any loss
    (and, for pretraining, what one process does with the whole batch at once)."""
    if ctx.world == 1:
        return rows
    per_rank = batch // ctx.world
    parts = rows.reshape(-1, ctx.world, per_rank, *rows.shape[1:])
    return parts[:, ctx.rank].reshape(-1, *rows.shape[1:])


def _load_resumable(newest: Path, model, opt) -> tuple:
    """The newest checkpoint of the run, up to `newest`, whose weights and optimizer state load into
    `model` and `opt` (a damaged one is skipped for the one before it): (Loaded, [what was skipped])."""
    step_of = ckpt.run_and_step
    limit = (step_of(newest) or ("", 10**18))[1]
    older = [p for p in reversed(ckpt.list_checkpoints(newest.parent)) if (step_of(p) or ("", 0))[1] <= limit]
    skipped = []
    for folder in older or [newest]:
        try:
            loaded = ckpt.load(folder)
            ckpt.load_weights(model, loaded.model, loaded.meta.get("tied", {}))
            ckpt.restore_optimizer(opt, loaded.train_state, loaded.meta["param_groups"])
            return loaded, skipped
        except (CheckpointError, KeyError, ValueError, RuntimeError) as e:
            skipped.append(f"{folder.name} ({e})")
    raise CheckpointError(f"no checkpoint of {newest.parent.parent.name} can be resumed: " + "; ".join(skipped))


def train(job: Job, control: Control | None = None) -> Iterator:
    cfg, model, task, store = job.cfg, job.model, job.task, job.store
    ctx = dist.current()
    main = ctx.is_main
    # Pause and cancel steer one process; under torchrun, Ctrl-C ends every rank (rank 0 keeps
    # what it can, as after any error).
    control = (control or Control()) if ctx.world == 1 else Control()
    if cfg.batch_size % ctx.world:
        msg = (
            f"batch_size is the global batch under torchrun: {cfg.batch_size} does not split over "
            f"{ctx.world} processes; use a multiple of {ctx.world}"
        )
        if main:
            store.set_status(job.run_id, "failed", msg)
        raise ConfigError(msg)
    if hasattr(model, "cfg"):  # the batch's activations, before the first step allocates them
        from engine.train.estimate import check_fits

        try:
            check_fits(
                model.cfg,
                cfg.batch_size // ctx.world,
                job.device,
                f"batch_size={cfg.batch_size}",
                weights_allocated=True,
            )
        except ConfigError as e:
            if main:
                store.set_status(job.run_id, "failed", str(e))
            raise
    opt = build_optimizer(model, cfg.lr, cfg.weight_decay, (cfg.beta1, cfg.beta2), job.device)
    guard = SpikeGuard(cfg.spike_sigma, cfg.spike_window, cfg.max_bad_steps)
    budget = Budget(cfg.max_steps, cfg.max_minutes * 60)
    amp = autocast_dtype(job.device, cfg.dtype)
    step, tokens, elapsed = 0, 0, 0.0
    ckpt_root = job.run_dir / "checkpoints"
    if hasattr(model, "activation_checkpointing"):
        model.activation_checkpointing = getattr(cfg, "activation_checkpointing", False)
    forward_model = torch.compile(model) if getattr(cfg, "compile", False) else model

    if job.resume_from is not None:
        loaded, skipped = _load_resumable(job.resume_from, model, opt)
        ckpt.restore_rng(loaded.train_state)
        guard.load(loaded.train_state)
        task.load_data_state(loaded.meta["data"])
        step, tokens, elapsed = loaded.meta["step"], loaded.meta["tokens"], loaded.meta["elapsed_s"]
        if main:
            store.forget_after(job.run_id, step)
            store.set_status(job.run_id, "running")
        for problem in skipped:
            yield Log(f"skipped a damaged checkpoint: {problem}", "warning")
        yield Log(f"resumed {job.run_id} from step {step} ({loaded.path.name})")

    net = _TaskLoss(forward_model, task)
    if ctx.world > 1:
        net = _ddp(net, model, job.device)
    micro = cfg.batch_size // ctx.world  # rows per rank and micro-batch
    rows_per_step = cfg.batch_size * cfg.grad_accum  # over all ranks
    last_saved, last_eval_step, val = step, -1, {}
    saved_at = elapsed  # training time at the last checkpoint
    status, last_loss = "done", float("nan")
    window_t, window_tokens = time.perf_counter(), 0
    tokens_per_s = 0.0
    clock = time.perf_counter()

    def save(best: bool = False):
        tensors, extra = _train_state(step, tokens, elapsed, opt, guard, task)
        path = ckpt.save(
            ckpt_root,
            step,
            model,
            {**job.meta, **extra, "run_id": job.run_id, "val_loss": val.get("val/loss")},
            tensors,
        )
        ckpt.prune(ckpt_root, cfg.keep_last)
        return Checkpoint(step=step, path=str(path), best=best)

    try:
        while True:
            if control.paused:
                elapsed += time.perf_counter() - clock
                control.wait_while_paused()
                clock = time.perf_counter()
            now = time.perf_counter()
            elapsed += now - clock
            clock = now
            if budget.max_seconds:  # the ranks' clocks differ a little: rank 0's says when time is up
                elapsed = dist.from_main(elapsed, job.device)
            finished = budget.done(step, elapsed)

            # eval (eval, sample and save: on rank 0 only; the others wait for it in the next collective)
            if (step % cfg.eval_every == 0 or finished) and last_eval_step != step:
                last_eval_step = step
                if main:
                    yield Phase("validating")
                    val = task.evaluate(model)
                    if tokens_per_s:
                        val["perf/tokens_per_s"] = tokens_per_s  # measured throughput, for estimates of later runs
                    store.log_metrics(job.run_id, step, val)
                    yield Metrics(step, val)
            # sample
            if main and cfg.sample_every and (step % cfg.sample_every == 0 or finished) and step > 0:
                total = getattr(task, "sample_count", 0)
                yield Phase("answering", 0, total)
                for n, (prompt, text) in enumerate(task.samples(model, step), 1):  # made one at a time
                    store.log_sample(job.run_id, step, prompt, text)
                    yield Sample(step, prompt, text)
                    if n < total:
                        yield Phase("answering", n, total)
            # save: every checkpoint_every steps, and every checkpoint_minutes of training (rank 0's
            # clock decides, so every rank takes the same branch)
            due = bool(cfg.checkpoint_minutes) and elapsed - saved_at >= cfg.checkpoint_minutes * 60
            if cfg.checkpoint_minutes and ctx.world > 1:
                due = bool(dist.from_main(float(due), job.device))
            if (step % cfg.checkpoint_every == 0 or finished or control.cancelled or due) and step > last_saved:
                if main:
                    yield Phase("saving")
                    yield save()
                last_saved, saved_at = step, elapsed
            # stop?
            if finished or control.cancelled:
                status = "cancelled" if control.cancelled and not finished else "done"
                break

            # step: every rank draws the same rows (one seeded order) and trains on its share
            rows = task.next_rows(rows_per_step)
            mine = _share(rows, cfg.batch_size, ctx)
            while True:
                oom = False
                try:
                    loss, aux = _forward_backward(net, mine, micro, amp, job.device, cfg.moe_aux_weight)
                except OOM_ERRORS:
                    oom = True  # handled below, outside the except block, so the frames are freed
                if not oom:
                    break
                if ctx.world > 1:  # the ranks must agree on the micro-batch: one cannot halve it alone
                    raise TrainingError(
                        f"out of memory on rank {ctx.rank} with micro-batches of {micro} sequences "
                        "per process: lower batch_size and raise grad_accum (same effective batch)"
                    )
                opt.zero_grad(set_to_none=True)
                gc.collect()
                if job.device.type == "cuda":
                    torch.cuda.empty_cache()
                if micro == 1:
                    raise TrainingError(
                        "out of memory with a micro-batch of 1 sequence: lower block_size, "
                        "n_embd or n_layer (or choose a smaller preset)"
                    )
                micro = max(1, micro // 2)
                yield Log(
                    f"out of memory: micro-batch halved to {micro} sequences (same effective batch "
                    f"through accumulation)",
                    "warning",
                )
            clip = cfg.grad_clip if cfg.grad_clip > 0 else float("inf")
            grad_norm = float(torch.nn.utils.clip_grad_norm_(model.parameters(), clip))
            # Means over the ranks, so every rank logs, judges spikes and skips on the same numbers.
            own = task.step_metrics() if hasattr(task, "step_metrics") else {}  # DPO's rewards, GRPO's KL, …
            stats = dist.mean(
                {
                    k: v
                    for k, v in {"train/loss": loss, "train/grad_norm": grad_norm, "train/aux_loss": aux, **own}.items()
                    if v is not None
                },
                job.device,
            )
            loss, grad_norm, aux = stats["train/loss"], stats["train/grad_norm"], stats.get("train/aux_loss")
            lr = cfg.lr * lr_multiplier(
                step, budget.progress(step, elapsed), cfg.warmup_steps, cfg.decay_frac, cfg.min_lr_frac
            )
            reason = guard.check(loss, grad_norm)
            if reason:
                opt.zero_grad(set_to_none=True)
                if main:
                    ids = task.doc_ids(rows)
                    store.log_skipped(job.run_id, step + 1, reason, loss, grad_norm, ids)
                    yield Log(
                        f"step {step + 1}: {reason} (loss {loss:.4g}, grad norm {grad_norm:.4g}); update "
                        f"skipped, {len(ids)} documents recorded",
                        "warning",
                    )
                if guard.reject():
                    raise TrainingError(
                        f"training diverged: {guard.bad_in_row} bad steps in a row at step {step + 1} "
                        f"({reason}); lower lr (now {cfg.lr:g}) or resume from an earlier checkpoint"
                    )
            else:
                for g in opt.param_groups:
                    g["lr"] = lr
                opt.step()
                opt.zero_grad(set_to_none=True)
                guard.accept(loss, grad_norm)
            step += 1
            tokens += len(rows) * task.tokens_per_row  # all ranks' rows
            window_tokens += len(rows) * task.tokens_per_row
            last_loss = loss

            # report
            metrics = {**stats, "train/lr": lr}
            metrics = {
                k: v for k, v in metrics.items() if v is not None and math.isfinite(v)
            }  # NaN: see skipped_batches
            if main:
                store.log_metrics(job.run_id, step, metrics)
            yield Metrics(step, metrics)
            t = time.perf_counter()
            if t - window_t >= 1.0 or step == 1:
                tokens_per_s = window_tokens / max(t - window_t, 1e-9)
                window_t, window_tokens = t, 0
            steps_per_s = tokens_per_s / max(1, rows_per_step * task.tokens_per_row)
            yield Progress(
                step, cfg.max_steps or None, tokens, tokens_per_s, elapsed, budget.eta(step, elapsed, steps_per_s)
            )
    except BaseException as e:
        # Stopped by an error or Ctrl-C: keep what was learned since the last save.
        if main:
            if step > last_saved:
                try:
                    save()
                except Exception:
                    pass
            msg = str(e) or type(e).__name__
            store.set_status(
                job.run_id, "cancelled" if isinstance(e, (KeyboardInterrupt, GeneratorExit)) else "failed", msg
            )
        raise
    if main:
        store.set_status(job.run_id, status)
    dist.barrier()  # rank 0's last checkpoint is on disk before any rank names it
    final = ckpt.list_checkpoints(ckpt_root)
    yield Finished(
        status,
        {
            "run": job.run_id,
            "checkpoint": str(final[-1]) if final else None,
            "steps": step,
            "tokens": tokens,
            "tokens_per_s": round(tokens / elapsed, 1) if elapsed > 0 else 0.0,
            "elapsed_s": round(elapsed, 2),
            "val_loss": val.get("val/loss"),
            "val_bpb": val.get("val/bpb"),
            "final_train_loss": last_loss,
        },
    )


def _forward_backward(net, rows, micro: int, amp, device, aux_weight: float):
    """Gradients of the mean loss over `rows`, in micro-batches of `micro` rows. `net(rows)` is the
    task's (loss, aux loss); wrapped in DDP, it averages the gradients over the ranks."""
    total, total_aux, n = 0.0, 0.0, len(rows)
    has_aux = False
    for i in range(0, n, micro):
        chunk = rows[i : i + micro]
        last = i + micro >= n
        # DDP: average the gradients once, after the last micro-batch, not after every one
        sync = net.no_sync() if hasattr(net, "no_sync") and not last else contextlib.nullcontext()
        with sync:
            with torch.autocast(device.type, dtype=amp, enabled=amp is not None):
                loss, aux = net(chunk)
            weight = len(chunk) / n
            objective = loss if aux is None else loss + aux_weight * aux
            (objective * weight).backward()
        total += float(loss.detach()) * weight
        if aux is not None:
            has_aux = True
            total_aux += float(aux.detach()) * weight
    return total, (total_aux if has_aux else None)
