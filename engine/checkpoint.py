"""Checkpoints: safetensors only (never pickle), atomic, self-describing.

    runs/<id>/checkpoints/step_000500/
        model.safetensors        weights; the tied output head is stored once
        train_state.safetensors  optimizer moments, RNG states, spike-guard history
        meta.json                step, configs, tokenizer hash, data position, val loss, …
        COMPLETE                 written last: the sizes of the three files above

A checkpoint is built in `step_000500.tmp`, every file fsynced, then the folder renamed.
Only a folder with a COMPLETE marker whose sizes match counts, so a checkpoint half-written
when the power went (or the process was killed) is ignored and the previous one is used.
"""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors.torch import load_file

from engine.errors import CheckpointError, few
from engine.io.fsutil import atomic_write_bytes, atomic_write_text, fsync_dir

FORMAT = "lmdojo-checkpoint-1"
FILES = ("model.safetensors", "train_state.safetensors", "meta.json")
_STEP_DIR = re.compile(r"^step_(\d+)$")


@dataclass
class Loaded:
    path: Path
    meta: dict
    model: dict[str, torch.Tensor]
    train_state: dict[str, torch.Tensor]


# -- model weights ----------------------------------------------------------------------------
def weights_for_saving(model: torch.nn.Module) -> tuple[dict[str, torch.Tensor], dict[str, str]]:
    """State dict with shared tensors stored once, and the map {dropped key: kept key}."""
    out, tied, seen = {}, {}, {}
    for key, t in model.state_dict().items():
        ptr = (t.untyped_storage().data_ptr(), t.storage_offset(), tuple(t.shape))
        if ptr in seen:
            tied[key] = seen[ptr]
            continue
        seen[ptr] = key
        out[key] = t.detach().contiguous().cpu()
    return out, tied


def load_weights(model: torch.nn.Module, weights: dict[str, torch.Tensor], tied: dict[str, str]) -> None:
    """Load weights; tied keys come from their partner, and the tie must still hold afterwards."""
    state = dict(weights)
    for key, partner in tied.items():
        if partner not in weights:
            raise CheckpointError(f"checkpoint weights do not fit the model: {partner} (tied to {key}) is missing")
        state[key] = weights[partner]
    expected = model.state_dict()
    for key, t in state.items():  # a header can be consistent and still not be this model's
        if key in expected and tuple(t.shape) != tuple(expected[key].shape):
            raise CheckpointError(
                f"checkpoint weights do not fit the model: {key} is {list(t.shape)} in the file, "
                f"{list(expected[key].shape)} in the model its config describes"
            )
    try:
        missing, unexpected = model.load_state_dict(state, strict=False)
    except RuntimeError as e:
        raise CheckpointError(f"checkpoint weights do not fit the model: {str(e).splitlines()[-1].strip()}") from None
    if missing or unexpected:
        raise CheckpointError(
            f"checkpoint weights do not fit the model: missing {few(missing, brackets=True)}, unexpected {few(unexpected, brackets=True)}"
        )
    params = dict(model.named_parameters(remove_duplicate=False))
    for key, partner in tied.items():
        a, b = key.removesuffix(".weight"), partner.removesuffix(".weight")
        if f"{a}.weight" in params and params[f"{a}.weight"] is not params[f"{b}.weight"]:
            raise CheckpointError(f"tie between {key} and {partner} was lost on load")


def _check_finite(tensors: dict[str, torch.Tensor], where: Path):
    for k, t in tensors.items():
        if t.is_floating_point() and not torch.isfinite(t).all():
            raise CheckpointError(f"{where}: tensor {k} contains NaN or Inf; refusing to use it")


def _read_safetensors(path: Path) -> dict[str, torch.Tensor]:
    try:
        return load_file(str(path))
    except FileNotFoundError:
        raise CheckpointError(f"checkpoint file missing: {path}") from None
    except Exception as e:  # SafetensorError, OSError, …: all mean the same to the user
        raise CheckpointError(f"checkpoint is damaged: {path} ({e})") from None


def _safetensors_bytes(tensors: dict[str, torch.Tensor], metadata: dict[str, str]) -> bytes:
    from safetensors.torch import save

    return save(tensors, metadata=metadata)


# -- optimizer and RNG ------------------------------------------------------------------------
def optimizer_tensors(opt: torch.optim.Optimizer) -> tuple[dict[str, torch.Tensor], list[dict]]:
    sd = opt.state_dict()
    tensors = {}
    for idx, st in sd["state"].items():
        for name, v in st.items():
            t = v if torch.is_tensor(v) else torch.tensor(v)
            tensors[f"optim.{idx}.{name}"] = t.detach().contiguous().cpu()
    return tensors, sd["param_groups"]


def restore_optimizer(opt: torch.optim.Optimizer, tensors: dict[str, torch.Tensor], param_groups: list[dict]):
    state: dict[int, dict] = {}
    for key, t in tensors.items():
        if key.startswith("optim."):
            _, idx, name = key.split(".", 2)
            state.setdefault(int(idx), {})[name] = t
    try:
        opt.load_state_dict({"state": state, "param_groups": param_groups})
    except (ValueError, KeyError) as e:
        raise CheckpointError(f"optimizer state does not fit the model: {e}") from None


def rng_tensors() -> dict[str, torch.Tensor]:
    out = {"rng.torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        for i, s in enumerate(torch.cuda.get_rng_state_all()):
            out[f"rng.cuda.{i}"] = s
    return out


def restore_rng(tensors: dict[str, torch.Tensor]):
    if "rng.torch" in tensors:
        torch.set_rng_state(tensors["rng.torch"])
    cuda = sorted(k for k in tensors if k.startswith("rng.cuda."))
    if cuda and torch.cuda.is_available() and len(cuda) == torch.cuda.device_count():
        torch.cuda.set_rng_state_all([tensors[k] for k in cuda])


# -- save / find / load -----------------------------------------------------------------------
def save(
    ckpt_root: Path, step: int, model: torch.nn.Module, meta: dict, train_state: dict[str, torch.Tensor] | None = None
) -> Path:
    """Write checkpoint `step` under ckpt_root atomically; returns its folder."""
    ckpt_root.mkdir(parents=True, exist_ok=True)
    final = ckpt_root / f"step_{step:06d}"
    tmp = ckpt_root / f"step_{step:06d}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    weights, tied = weights_for_saving(model)
    meta = {**meta, "format": FORMAT, "step": step, "tied": tied}
    blobs = {
        "model.safetensors": _safetensors_bytes(
            weights,
            {
                "format": FORMAT,
                "model_config": json.dumps(meta.get("model_config", {})),
                "tokenizer_hash": str(meta.get("tokenizer_hash", "")),
                "tied": json.dumps(tied),
            },
        ),
        "train_state.safetensors": _safetensors_bytes(
            {k: v.contiguous() for k, v in (train_state or {}).items()}, {"format": FORMAT}
        ),
        "meta.json": json.dumps(meta, indent=1, ensure_ascii=False).encode("utf-8"),
    }
    for name, data in blobs.items():
        atomic_write_bytes(tmp / name, data)
    atomic_write_text(tmp / "COMPLETE", json.dumps({name: len(data) for name, data in blobs.items()}))
    if final.exists():  # saving the same step again (after a resume): replace it
        old = ckpt_root / f"step_{step:06d}.old"
        shutil.rmtree(old, ignore_errors=True)
        final.rename(old)
        tmp.rename(final)
        shutil.rmtree(old, ignore_errors=True)
    else:
        tmp.rename(final)
    fsync_dir(ckpt_root)
    return final


def is_complete(folder: Path) -> bool:
    try:
        sizes = json.loads((folder / "COMPLETE").read_text())
        return all((folder / n).stat().st_size == sizes[n] for n in FILES)
    except (OSError, ValueError, KeyError, TypeError):
        return False


def list_checkpoints(ckpt_root: Path) -> list[Path]:
    """Complete checkpoints, oldest first."""
    if not ckpt_root.is_dir():
        return []
    found = [(int(m.group(1)), p) for p in ckpt_root.iterdir() if (m := _STEP_DIR.match(p.name)) and is_complete(p)]
    return [p for _, p in sorted(found)]


def run_and_step(folder: str | Path) -> tuple[str, int] | None:
    """(run id, step) of a checkpoint folder runs/<id>/checkpoints/step_N; None for any other path."""
    p = Path(folder)
    m = _STEP_DIR.match(p.name)
    return (p.parent.parent.name, int(m.group(1))) if m and p.parent.name == "checkpoints" else None


def read_meta(folder: Path) -> dict:
    try:
        return json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise CheckpointError(f"checkpoint is damaged: {folder / 'meta.json'} ({e})") from None


def prune(ckpt_root: Path, keep_last: int) -> list[Path]:
    """Keep the newest `keep_last` complete checkpoints and the best by validation loss."""
    if keep_last < 2:
        raise ValueError("keep_last must be at least 2")
    ckpts = list_checkpoints(ckpt_root)
    keep = set(ckpts[-keep_last:])
    scored = [(read_meta(p).get("val_loss"), p) for p in ckpts]
    scored = [(v, p) for v, p in scored if isinstance(v, (int, float))]
    if scored:
        keep.add(min(scored, key=lambda vp: vp[0])[1])
    removed = [p for p in ckpts if p not in keep]
    for p in removed:
        shutil.rmtree(p, ignore_errors=True)
    for stale in ckpt_root.glob("step_*.tmp"):  # left by a crash mid-save
        shutil.rmtree(stale, ignore_errors=True)
    return removed


def load(folder: Path, with_train_state: bool = True) -> Loaded:
    folder = Path(folder)
    if not folder.is_dir():
        raise CheckpointError(f"checkpoint not found: {folder}")
    if not is_complete(folder):
        raise CheckpointError(f"checkpoint is incomplete (no valid COMPLETE marker): {folder}")
    meta = read_meta(folder)
    if meta.get("format") != FORMAT:
        raise CheckpointError(f"{folder}: unknown checkpoint format {meta.get('format')!r}")
    model = _read_safetensors(folder / "model.safetensors")
    _check_finite(model, folder / "model.safetensors")
    state = _read_safetensors(folder / "train_state.safetensors") if with_train_state else {}
    _check_finite({k: v for k, v in state.items() if k.startswith("optim.")}, folder / "train_state.safetensors")
    return Loaded(folder, meta, model, state)


def check_compatible(meta: dict, model_config: dict, tokenizer_hash: str | None, where: Path) -> None:
    """Refuse a checkpoint whose model shape or tokenizer differs, saying what differs."""
    saved = meta.get("model_config", {})
    diffs = [f"{k}: checkpoint {saved.get(k)!r}, config {v!r}" for k, v in model_config.items() if saved.get(k) != v]
    if diffs:
        raise CheckpointError(f"checkpoint {where} does not match the model config: " + "; ".join(diffs))
    if tokenizer_hash and meta.get("tokenizer_hash") and meta["tokenizer_hash"] != tokenizer_hash:
        raise CheckpointError(
            f"checkpoint {where} was trained with tokenizer {meta['tokenizer_hash']}, but the "
            f"workspace tokenizer is {tokenizer_hash} (it was retrained: generate, chat and eval "
            f"still use the run's own from tokenizer/by-hash/; training from it needs that one)"
        )


def resolve(runs_dir: Path, ref: str) -> Path:
    """A run id (its newest complete checkpoint), a checkpoint folder, or a selector: `latest` (the
    newest run that has a checkpoint) or `STAGE:latest` (the newest such run of STAGE, e.g.
    `sft:latest`), so a command reads the same however many runs a workspace has."""
    if ref == "latest" or ref.endswith(":latest"):
        return _latest(runs_dir, ref[: -len(":latest")] if ref != "latest" else "")
    p = Path(ref)
    if p.is_dir() and (p / "meta.json").exists():
        if not is_complete(p):
            raise CheckpointError(f"checkpoint is incomplete: {p}")
        return p
    run_dir = runs_dir / ref
    if not run_dir.is_dir():
        raise CheckpointError(f"no run or checkpoint named {ref!r} (runs are in {runs_dir})")
    found = list_checkpoints(run_dir / "checkpoints")
    if not found:
        raise CheckpointError(f"run {ref} has no complete checkpoint")
    return found[-1]


def _latest(runs_dir: Path, stage: str) -> Path:
    """The newest checkpoint of the newest run (of `stage`) by the time in its id (STAGE-YYYYMMDD-HHMMSS[-N])."""
    runs = [d for d in runs_dir.iterdir() if d.is_dir() and "-" in d.name] if runs_dir.is_dir() else []
    if stage:
        runs = [d for d in runs if d.name.split("-", 1)[0] == stage]
    for run in sorted(runs, key=lambda d: _id_time(d.name), reverse=True):
        if found := list_checkpoints(run / "checkpoints"):
            return found[-1]
    what = f"{stage} run" if stage else "run"
    raise CheckpointError(f"no {what} with a checkpoint in {runs_dir} (for {stage + ':' if stage else ''}latest)")


def _id_time(run_id: str) -> tuple[str, int]:
    parts = run_id.split("-")  # STAGE, date, time[, N]
    return ("-".join(parts[1:3]), int(parts[3]) if len(parts) > 3 and parts[3].isdigit() else 1)


def load_gpt(folder: Path, device: torch.device | str = "cpu", tokenizer_hash: str | None = None):
    """The model of a checkpoint, ready for inference; refuses one made with another tokenizer."""
    from engine.model import GPT, GPTConfig, PolicyWithValue, RewardModel

    loaded = load(folder, with_train_state=False)
    mc = loaded.meta.get("model_config")
    if not isinstance(mc, dict):
        raise CheckpointError(f"{folder}: meta.json has no model_config")
    check_compatible(loaded.meta, mc, tokenizer_hash, folder)
    try:
        # a reward model's or a PPO policy's checkpoint says so; it loads with its scalar head
        head = loaded.meta.get("head")
        if head == "reward":
            model = RewardModel(GPTConfig(**mc), likelihood=bool(loaded.meta.get("reward_likelihood")))
        else:
            model = PolicyWithValue(GPTConfig(**mc)) if head == "value" else GPT(GPTConfig(**mc))
    except TypeError as e:
        raise CheckpointError(f"{folder}: model_config does not fit this version of LM Dojo ({e})") from None
    lora = loaded.meta.get("lora")
    if lora:  # a LoRA run's checkpoint holds base + adapters: wrap, load, fold the adapters in
        from engine.lora import LoRAConfig, apply_lora, merge_lora

        apply_lora(model, LoRAConfig(lora["rank"], lora["alpha"], lora["dropout"], tuple(lora["targets"])))
    load_weights(model, loaded.model, loaded.meta.get("tied", {}))
    if lora:
        model = merge_lora(model)
    return model.to(device).eval(), loaded.meta
