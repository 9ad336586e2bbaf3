"""LoRA: low-rank adapters for fine-tuning (Hu et al. 2021), in one file.

The base weights stay frozen; each targeted `nn.Linear` gets two small trainable matrices
A (rank x in) and B (out x rank), and computes

    y = base(x) + dropout(x) @ A^T @ B^T * (alpha / rank)

A starts kaiming-uniform (as in the paper and PEFT), B starts at zero, so a freshly wrapped
model computes exactly what the base model computes.

    targets = apply_lora(model, LoRAConfig(rank=8, targets=("qkv", "proj")))
    ... train: only the A/B tensors have requires_grad ...
    save_adapter(path, model, cfg, base_meta)     # a few KB of safetensors, atomic
    tensors, cfg, meta = load_adapter(path)       # into a fresh base: apply_lora + load_lora_state_dict
    apply_adapter(base_model, path)               # the three steps above and merge_lora
    merge_lora(model)                             # fold B@A into the weights: a plain GPT again

Parameters trained whole next to the adapters (the token embeddings, whose chat-token rows a
pretrained model never trained) are saved with them, as PEFT's modules_to_save are.
An adapter is stored as one safetensors file (never pickle) whose metadata carries the LoRA
config, the base model's config and the base tokenizer's hash, so it can be checked against
the base it is loaded into.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import torch
from torch import Tensor, nn

from engine.errors import CheckpointError, few
from engine.io.fsutil import atomic_write_bytes

ADAPTER_FORMAT = "lmdojo-lora-1"
_SUFFIXES = ("lora_A", "lora_B")


@dataclass
class LoRAConfig:
    rank: int = 8
    alpha: float = 16.0
    dropout: float = 0.0
    # Names of nn.Linear submodules to wrap, matched against the last part of the module
    # name: "qkv", "proj" (attention), "gate_up", "down" (SwiGLU, also inside MoE experts).
    targets: tuple[str, ...] = ("qkv", "proj")

    def __post_init__(self):
        self.targets = tuple(self.targets)
        if self.rank < 1:
            raise ValueError(f"LoRA rank must be >= 1, got {self.rank}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"LoRA dropout must be in [0, 1), got {self.dropout}")
        if not self.targets:
            raise ValueError("LoRA targets is empty")

    @property
    def scale(self) -> float:
        return self.alpha / self.rank

    def to_dict(self) -> dict:
        d = asdict(self)
        d["targets"] = list(self.targets)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> LoRAConfig:
        known = {f.name for f in fields(cls)}
        unknown = set(d) - known
        if unknown:
            raise ValueError(f"unknown LoRA config fields {sorted(unknown)}")
        return cls(**d)


class LoRALinear(nn.Module):
    """A frozen `nn.Linear` plus a trainable low-rank update B @ A scaled by alpha / rank."""

    def __init__(self, base: nn.Linear, rank: int, alpha: float, dropout: float = 0.0):
        super().__init__()
        self.base = base
        self.rank, self.alpha = rank, alpha
        self.scale = alpha / rank
        w = base.weight
        self.lora_A = nn.Parameter(torch.empty(rank, base.in_features, device=w.device, dtype=w.dtype))
        self.lora_B = nn.Parameter(torch.zeros(base.out_features, rank, device=w.device, dtype=w.dtype))
        nn.init.kaiming_uniform_(self.lora_A, a=math.sqrt(5))  # nn.Linear's default, as PEFT does
        self.dropout = nn.Dropout(dropout) if dropout > 0 else nn.Identity()
        for p in self.base.parameters():
            p.requires_grad_(False)

    # Code that reads `.weight`/`.in_features` of a Linear keeps working on the wrapped one.
    @property
    def weight(self) -> Tensor:
        return self.base.weight

    @property
    def in_features(self) -> int:
        return self.base.in_features

    @property
    def out_features(self) -> int:
        return self.base.out_features

    def forward(self, x: Tensor) -> Tensor:
        update = self.dropout(x) @ self.lora_A.t() @ self.lora_B.t()
        return self.base(x) + update * self.scale

    def merged_weight(self) -> Tensor:
        """The base weight with the low-rank update folded in (a new tensor, no grad)."""
        with torch.no_grad():
            delta = (self.lora_B.float() @ self.lora_A.float()) * self.scale
            return (self.base.weight.float() + delta).to(self.base.weight.dtype)

    def extra_repr(self) -> str:
        return f"rank={self.rank}, alpha={self.alpha}"


def _lora_modules(model: nn.Module) -> list[tuple[str, LoRALinear]]:
    return [(n, m) for n, m in model.named_modules() if isinstance(m, LoRALinear)]


def _set_submodule(model: nn.Module, name: str, module: nn.Module) -> None:
    parent_name, _, child = name.rpartition(".")
    parent = model.get_submodule(parent_name) if parent_name else model
    setattr(parent, child, module)


def apply_lora(model: nn.Module, cfg: LoRAConfig) -> list[str]:
    """Wrap the target Linears of `model` in place and freeze everything else.

    Returns the names of the wrapped modules. Raises ValueError (listing the Linear names
    that exist) when no module matches, and refuses tied Linears (the output head shares its
    matrix with the token embedding; wrapping it would untie them on merge).
    """
    if _lora_modules(model):
        raise ValueError("model already has LoRA adapters; merge_lora it first")
    linears = [(n, m) for n, m in model.named_modules() if isinstance(m, nn.Linear)]
    chosen = [(n, m) for n, m in linears if n.rsplit(".", 1)[-1] in cfg.targets]
    if not chosen:
        available = sorted({n.rsplit(".", 1)[-1] for n, _ in linears})
        raise ValueError(
            f"LoRA targets {list(cfg.targets)} match no nn.Linear in the model; available names: {available}"
        )
    weight_owners: dict[int, int] = {}
    for _, p in model.named_parameters(remove_duplicate=False):
        weight_owners[id(p)] = weight_owners.get(id(p), 0) + 1
    tied = [n for n, m in chosen if weight_owners.get(id(m.weight), 0) > 1]
    if tied:
        raise ValueError(f"cannot put LoRA on tied layers {tied} (their weight is shared)")

    for p in model.parameters():  # the whole base, embeddings included
        p.requires_grad_(False)
    for name, lin in chosen:
        _set_submodule(model, name, LoRALinear(lin, cfg.rank, cfg.alpha, cfg.dropout))
    return [n for n, _ in chosen]


def trainable_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def lora_state_dict(model: nn.Module) -> dict[str, Tensor]:
    """The adapter tensors {"blocks.0.attn.qkv.lora_A": ..., "...lora_B": ...}, plus any other
    parameter trained whole next to them (the token embeddings, as PEFT's modules_to_save)."""
    out = {}
    lora_params = set()
    for name, m in _lora_modules(model):
        out[f"{name}.lora_A"] = m.lora_A.detach().clone()
        out[f"{name}.lora_B"] = m.lora_B.detach().clone()
        lora_params |= {id(m.lora_A), id(m.lora_B)}
    if out:
        for name, p in model.named_parameters():
            if p.requires_grad and id(p) not in lora_params:
                out[name] = p.detach().clone()
    return out


def load_lora_state_dict(model: nn.Module, sd: dict[str, Tensor]) -> None:
    """Copy adapter tensors into an `apply_lora`'d model. Strict: any missing or unexpected
    key, or any shape mismatch, raises CheckpointError naming them (nothing is copied then)."""
    params = {}
    for name, m in _lora_modules(model):
        params[f"{name}.lora_A"] = m.lora_A
        params[f"{name}.lora_B"] = m.lora_B
    if not params:
        raise CheckpointError("model has no LoRA layers to load an adapter into (call apply_lora first)")
    whole = dict(model.named_parameters())
    params |= {k: whole[k] for k in sd if not _is_lora_key(k) and k in whole}
    missing = sorted(set(params) - set(sd))
    unexpected = sorted(set(sd) - set(params))
    mismatched = [
        f"{k}: adapter {tuple(sd[k].shape)}, model {tuple(params[k].shape)}"
        for k in sorted(set(params) & set(sd))
        if tuple(sd[k].shape) != tuple(params[k].shape)
    ]
    problems = []
    if missing:
        problems.append(f"missing {few(missing, 4, brackets=True)}")
    if unexpected:
        problems.append(f"unexpected {few(unexpected, 4, brackets=True)}")
    if mismatched:
        problems.append(f"shape mismatch {few(mismatched, 4, brackets=True)}")
    if problems:
        raise CheckpointError(
            "LoRA adapter does not fit the model (different rank, targets or model size?): " + "; ".join(problems)
        )
    with torch.no_grad():
        for k, p in params.items():
            p.copy_(sd[k].to(device=p.device, dtype=p.dtype))


def _is_lora_key(key: str) -> bool:
    return key.endswith(tuple(f".{s}" for s in _SUFFIXES))


def apply_adapter(model: nn.Module, path: Path, merge: bool = True) -> nn.Module:
    """Put a saved adapter on top of its base model (in place); merged into plain weights by default."""
    tensors, cfg, _ = load_adapter(path)
    apply_lora(model, cfg)
    load_lora_state_dict(model, tensors)
    return merge_lora(model) if merge else model


def merge_lora(model: nn.Module) -> nn.Module:
    """Fold every adapter into its base weight and put the plain nn.Linear back (in place).

    The result is an ordinary GPT: it saves and loads with engine.checkpoint as usual, and
    all its parameters are trainable again, as in a freshly built model. The tied output
    head is never wrapped, so it stays tied.
    """
    for name, m in _lora_modules(model):
        with torch.no_grad():
            m.base.weight.copy_(m.merged_weight())
        _set_submodule(model, name, m.base)
    for p in model.parameters():
        p.requires_grad_(True)
    return model


# -- adapter files ----------------------------------------------------------------------------
def save_adapter(path: Path, model: nn.Module, cfg: LoRAConfig, base_meta: dict) -> None:
    """Write the adapter as one safetensors file, atomically.

    `base_meta` describes the base checkpoint (its meta.json): "model_config" (falls back to
    `model.cfg`) and "tokenizer_hash" are recorded so a mismatch can be caught on load.
    """
    from safetensors.torch import save

    tensors = {k: v.contiguous().cpu() for k, v in lora_state_dict(model).items()}
    if not tensors:
        raise ValueError("model has no LoRA layers; nothing to save")
    model_config = base_meta.get("model_config")
    if model_config is None and hasattr(model, "cfg") and hasattr(model.cfg, "to_dict"):
        model_config = model.cfg.to_dict()
    metadata = {
        "format": ADAPTER_FORMAT,
        "lora_config": json.dumps(cfg.to_dict()),
        "base_model_config": json.dumps(model_config or {}),
        "base_tokenizer_hash": str(base_meta.get("tokenizer_hash") or ""),
    }
    atomic_write_bytes(path, save(tensors, metadata=metadata))


def load_adapter(path: Path) -> tuple[dict[str, Tensor], LoRAConfig, dict]:
    """Read an adapter file -> (tensors, LoRA config, {"base_model_config", "base_tokenizer_hash"}).

    A missing, damaged or foreign file raises CheckpointError. Never unpickles anything.
    """
    from safetensors import safe_open

    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"LoRA adapter file missing: {path}")
    try:
        tensors = {}
        with safe_open(str(path), framework="pt") as f:
            metadata = f.metadata() or {}
            for k in f.keys():  # noqa: SIM118 (a safetensors handle is not iterable)
                tensors[k] = f.get_tensor(k)
    except Exception as e:  # noqa: BLE001 (SafetensorError, OSError, …: all mean a damaged file)
        raise CheckpointError(f"LoRA adapter is damaged: {path} ({e})") from None
    if metadata.get("format") != ADAPTER_FORMAT:
        raise CheckpointError(f"{path} is not a LoRA adapter (format {metadata.get('format')!r})")
    try:
        cfg = LoRAConfig.from_dict(json.loads(metadata["lora_config"]))
        base_model_config = json.loads(metadata.get("base_model_config") or "{}")
    except (KeyError, ValueError, TypeError) as e:
        raise CheckpointError(f"LoRA adapter {path} has a bad config in its metadata ({e})") from None
    for k, t in tensors.items():
        if not _is_lora_key(k):  # a parameter trained whole: checked against the model on load
            if t.is_floating_point() and not torch.isfinite(t).all():
                raise CheckpointError(f"LoRA adapter {path}: tensor {k} contains NaN or Inf")
            continue
        rank_dim = t.shape[0] if k.endswith(".lora_A") else t.shape[-1]
        if t.dim() != 2 or rank_dim != cfg.rank:
            raise CheckpointError(
                f"LoRA adapter {path}: tensor {k} of shape {tuple(t.shape)} does not match its rank {cfg.rank}"
            )
        if t.is_floating_point() and not torch.isfinite(t).all():
            raise CheckpointError(f"LoRA adapter {path}: tensor {k} contains NaN or Inf")
    meta = {"base_model_config": base_model_config, "base_tokenizer_hash": metadata.get("base_tokenizer_hash") or None}
    return tensors, cfg, meta
