"""One dataclass per stage config; TOML in and out; validation with messages that name the field.

Precedence, lowest first: the dataclass defaults, the preset, the TOML file, `--set key=value`.
Each field's `help` (one sentence) is what the CLI and the GUI's tooltips show.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import math
import re
import typing
from dataclasses import dataclass, field
from pathlib import Path

import tomllib

from engine.errors import ConfigError


def knob(default, help: str, **kw):
    return field(default=default, metadata={"help": help, **kw})


# Model sizes. `tiny` trains visibly in minutes on two CPU cores; the others want a GPU.
MODEL_PRESETS: dict[str, dict] = {
    "tiny": dict(n_layer=4, n_head=4, n_embd=128, block_size=128, batch_size=16, lr=3e-3),
    "small": dict(n_layer=8, n_head=8, n_embd=512, block_size=512, batch_size=32, lr=1e-3),
    "medium": dict(n_layer=12, n_head=12, n_embd=768, block_size=1024, batch_size=32, lr=6e-4),
}


@dataclass
class TokenizerConfig:
    vocab_size: int = knob(4096, "Number of tokens in the vocabulary, special tokens included.", min=300, max=1 << 20)
    min_frequency: int = knob(2, "A pair must occur this often to be merged into a new token.", min=1)
    val_fraction: float = knob(0.05, "Share of documents held out for validation.", min=0.0, max=0.5)
    shard_tokens: int = knob(50_000_000, "Most tokens per shard file on disk.", min=1024)
    seed: int = knob(0, "Seed of the train/validation split.")
    train_mb: float = knob(
        256.0,
        "Train the BPE on at most this many MB of the corpus, spread evenly over it "
        "(its merge step holds every distinct word: a 1 GB corpus needs about 2 GB); "
        "all of it is tokenized.",
        min=1.0,
    )


@dataclass
class TrainConfig:
    """The knobs every training stage shares: optimisation, budget, evaluation, checkpoints, guards, machine."""

    moe_aux_weight: float = knob(0.01, "Weight of the expert load-balancing loss.", min=0.0)
    batch_size: int = knob(16, "Sequences per step (before accumulation).", min=1)
    grad_accum: int = knob(1, "Micro-batches accumulated into one optimizer step.", min=1)
    lr: float = knob(3e-3, "Peak learning rate of AdamW.", min=0.0, max=1.0)
    min_lr_frac: float = knob(0.1, "Learning rate at the end of the decay, as a fraction of lr.", min=0.0, max=1.0)
    warmup_steps: int = knob(50, "Steps of linear warm-up.", min=0)
    decay_frac: float = knob(0.3, "Last share of the budget over which the learning rate decays.", min=0.0, max=1.0)
    weight_decay: float = knob(0.1, "AdamW weight decay on matrices.", min=0.0)
    beta1: float = knob(0.9, "AdamW beta1.", min=0.0, max=1.0)
    beta2: float = knob(0.95, "AdamW beta2.", min=0.0, max=1.0)
    grad_clip: float = knob(1.0, "Clip the gradient norm to this (0 = off).", min=0.0)
    max_steps: int = knob(0, "Stop after this many optimizer steps (0 = no step limit).", min=0)
    max_minutes: float = knob(0.0, "Stop after this many minutes (0 = no time limit).", min=0.0)
    eval_every: int = knob(100, "Steps between validation-loss measurements.", min=1)
    eval_batches: int = knob(8, "Batches of validation data per measurement.", min=1)
    sample_every: int = knob(200, "Steps between sample generations (0 = never).", min=0)
    sample_tokens: int = knob(40, "Tokens generated per sample.", min=1)
    checkpoint_every: int = knob(500, "Steps between checkpoints (one is always saved at the end).", min=1)
    checkpoint_minutes: float = knob(
        2.0,
        "Also a checkpoint when this many minutes have passed since the last one, "
        "so a crash never costs more (0 = by steps only).",
        min=0.0,
    )
    keep_last: int = knob(2, "Recent checkpoints kept besides the best one.", min=2)
    spike_sigma: float = knob(
        6.0, "Skip a step whose loss or gradient norm is this many standard deviations above the recent mean.", min=1.0
    )
    spike_window: int = knob(128, "Steps in the rolling window of the spike guard.", min=8)
    max_bad_steps: int = knob(8, "Stop after this many skipped steps in a row.", min=1)
    seed: int = knob(1337, "Seed of initialisation, data order and sampling.")
    device: str = knob("auto", "auto, cpu, cuda, cuda:N or mps.")
    dtype: str = knob("auto", "auto (bf16 where supported), fp32 or bf16.", choices=("auto", "fp32", "bf16"))
    threads: int = knob(
        0, "CPU threads for torch (0 = torch's default, fewer when other programs keep cores busy).", min=0
    )
    compile: bool = knob(False, "Compile the model with torch.compile (GPU, long runs; on a CPU it does not pay).")
    activation_checkpointing: bool = knob(
        False,
        "Recompute each block's activations in the backward pass: "
        "far less memory for a little more compute (large models, long contexts).",
    )

    def validate(self) -> None:
        validate_fields(self)
        if not (
            self.device == "auto" or self.device in ("cpu", "mps", "cuda") or re.fullmatch(r"cuda:\d+", self.device)
        ):
            raise ConfigError(f"device must be auto, cpu, cuda, cuda:N or mps, got {self.device!r}")

    def has_budget(self) -> bool:
        return self.max_steps > 0 or self.max_minutes > 0


@dataclass
class StageConfig(TrainConfig):
    """What every stage after pretraining shares besides the loop's knobs: the run it starts from."""

    base: str = knob("", "Run or checkpoint to start from (default: the latest run of the stage before).")


def defaults(**changes):
    """Other defaults for knobs a stage config inherits, as data. Put it under @dataclass:

        @dataclass
        @defaults(lr=1e-4, batch_size=(16, "Pairs per step."))
        class DPOConfig(StageConfig): ...

    name=value keeps the knob's help and limits; name=(value, help) says what it means in this
    stage; name=(value, help, {"min": 2}) also changes its limits. The knob keeps its place."""

    def apply(cls):
        parent = next(b for b in cls.__mro__[1:] if dataclasses.is_dataclass(b))
        inherited = {f.name: f for f in dataclasses.fields(parent)}
        annotations = cls.__dict__.get("__annotations__", {})
        for name, change in changes.items():
            if name not in inherited:
                raise TypeError(f"{cls.__name__}: {name} is not an inherited knob")
            value, help, limits = (
                (*change, {})
                if isinstance(change, tuple) and len(change) == 2
                else change
                if isinstance(change, tuple)
                else (change, None, {})
            )
            old = inherited[name]
            metadata = {**old.metadata, **({"help": help} if help else {}), **limits}
            annotations[name] = old.type
            setattr(cls, name, field(default=value, metadata=metadata))
        cls.__annotations__ = annotations
        return cls

    return apply


@dataclass
class PretrainConfig(TrainConfig):
    preset: str = knob(
        "tiny", "Model size: tiny, small or medium; any knob below overrides it.", choices=tuple(MODEL_PRESETS)
    )
    n_layer: int = knob(4, "Number of Transformer blocks (depth).", min=1, max=256)
    n_head: int = knob(4, "Attention heads per block; must divide n_embd.", min=1)
    n_embd: int = knob(128, "Width of the residual stream.", min=8)
    block_size: int = knob(128, "Context length in tokens.", min=8)
    n_experts: int = knob(0, "Mixture-of-experts feed-forward with this many experts (0 = dense).", min=0, max=256)
    expert_top_k: int = knob(2, "Experts each token is routed to.", min=1)
    dropout: float = knob(0.0, "Dropout probability (0 for pretraining on much data).", min=0.0, max=0.9)
    sample_prompts: list[str] = knob((), "Prompts for samples (empty = the starts of validation documents).")
    shuffle_docs: bool = knob(
        True,
        "Every epoch, put the documents in a fresh order before cutting them into "
        "windows, so neighbours and cut points change (else the model can memorise the corpus "
        "as one long text instead of learning each document's facts).",
    )
    mix_qa: float = knob(
        0.0,
        "Share of each batch filled with instruction examples (chat template, packed, "
        "loss on every token): mixed training, as mid-training does.",
        min=0.0,
        max=0.9,
    )
    mix_data: str = knob("", "Instruction data to mix in (default: the workspace's data/sft/train.jsonl).")

    def validate(self) -> None:
        super().validate()
        if self.n_embd % self.n_head:
            raise ConfigError(f"n_embd ({self.n_embd}) must be divisible by n_head ({self.n_head})")
        if (self.n_embd // self.n_head) % 2:
            raise ConfigError(
                f"head size n_embd/n_head = {self.n_embd // self.n_head} must be even (rotary embeddings)"
            )
        if self.n_experts == 1:
            raise ConfigError("n_experts must be 0 (dense) or at least 2")
        if self.n_experts and self.expert_top_k > self.n_experts:
            raise ConfigError(f"expert_top_k ({self.expert_top_k}) must not exceed n_experts ({self.n_experts})")


def _type_of(cls, name: str):
    return typing.get_type_hints(cls)[name]


SEED_MAX = 2**63 - 1  # what torch.manual_seed and numpy's generators take


def check_seed(value: int, name: str = "seed") -> int:
    if not 0 <= value <= SEED_MAX:
        raise ConfigError(f"{name} must be between 0 and 2^63 - 1 ({SEED_MAX}), got {value}")
    return value


def validate_fields(cfg) -> None:
    """Check every field against its min/max/choices metadata (and every seed against SEED_MAX)."""
    for f in dataclasses.fields(cfg):
        v, md = getattr(cfg, f.name), f.metadata
        if f.name == "seed" and isinstance(v, int):
            check_seed(v)
        if isinstance(v, float) and not math.isfinite(v):
            raise ConfigError(f"{f.name} must be a finite number, got {v}")
        if "min" in md and v < md["min"]:
            raise ConfigError(f"{f.name} must be >= {md['min']}, got {v}")
        if "max" in md and v > md["max"]:
            raise ConfigError(f"{f.name} must be <= {md['max']}, got {v}")
        if "choices" in md and v not in md["choices"]:
            raise ConfigError(f"{f.name} must be one of {', '.join(md['choices'])}, got {v!r}")


def _coerce(cls, name: str, value, source: str):
    """Turn a TOML value or a --set string into the field's type, or say what is wrong."""
    typ = _type_of(cls, name)
    try:
        if typ is bool:
            if isinstance(value, bool):
                return value
            s = str(value).strip().lower()
            if s in ("1", "true", "yes", "on"):
                return True
            if s in ("0", "false", "no", "off"):
                return False
            raise ValueError
        if typ is int:
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError
            if isinstance(value, str):
                value = value.strip().replace("_", "")
                return int(float(value)) if "e" in value.lower() and float(value).is_integer() else int(value)
            return int(value)
        if typ is float:
            if isinstance(value, bool):
                raise ValueError
            return float(value)
        if typ is str:
            if not isinstance(value, str):
                raise ValueError
            return value
        if typing.get_origin(typ) is list:
            if isinstance(value, str):
                value = json.loads(value) if value.strip().startswith("[") else [value]
            if not isinstance(value, (list, tuple)) or not all(isinstance(x, str) for x in value):
                raise ValueError
            return list(value)
    except (ValueError, TypeError, json.JSONDecodeError):
        pass
    tname = getattr(typ, "__name__", str(typ))
    raise ConfigError(f"{name} ({source}) must be {tname}, got {value!r}")


def parse_sets(pairs: list[str] | None) -> dict[str, str]:
    out = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"--set expects key=value, got {pair!r}")
        out[key.strip()] = value
    return out


def read_toml(path: str | Path) -> dict:
    p = Path(path)
    try:
        with open(p, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {p}") from None
    except OSError as e:
        raise ConfigError(f"cannot read config file {p}: {e.strerror}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:  # TOML must be UTF-8
        raise ConfigError(f"{p}: invalid TOML: {e}") from None
    return data


def build_config(
    cls, toml: dict | None = None, sets: dict | None = None, presets: dict | None = None, toml_name: str = "config file"
):
    """Merge defaults < preset < TOML < --set into a validated `cls`."""
    names = [f.name for f in dataclasses.fields(cls)]
    values: dict = {}
    for source, layer in ((toml_name, toml or {}), ("--set", sets or {})):
        for key, value in layer.items():
            if key not in names:
                hint = difflib.get_close_matches(key, names, n=1)
                raise ConfigError(
                    f"unknown config key {key!r} in {source}" + (f"; did you mean {hint[0]!r}?" if hint else "")
                )
            values[key] = (_coerce(cls, key, value, source), source)
    merged = {}
    if presets is not None:
        preset = values.get("preset", (cls.__dataclass_fields__["preset"].default, ""))[0]
        if preset not in presets:
            raise ConfigError(f"preset must be one of {', '.join(presets)}, got {preset!r}")
        merged.update(presets[preset])
    merged.update({k: v for k, (v, _) in values.items()})
    cfg = cls(**merged)
    if isinstance(getattr(cfg, "sample_prompts", None), tuple):
        cfg.sample_prompts = list(cfg.sample_prompts)
    if hasattr(cfg, "validate"):
        cfg.validate()
    else:
        validate_fields(cfg)
    return cfg


def to_dict(cfg) -> dict:
    return dataclasses.asdict(cfg)


def from_dict(cls, data: dict):
    """Rebuild a saved config; keys this version does not know are an error, missing ones take defaults."""
    return build_config(cls, toml=data, toml_name="saved config")


def to_toml(cfg) -> str:
    """Flat TOML for a flat config (the run folder keeps it next to the equivalent command)."""
    data = to_dict(cfg)
    lines = [f"{k} = {_toml_value(v)}" for k, v in data.items() if not isinstance(v, dict)]
    for name, table in data.items():  # sections of a sectioned config, as TOML tables
        if isinstance(table, dict):
            lines += ["", f"[{name}]"] + [f"{k} = {_toml_value(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"


def _toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)  # a JSON string is a valid TOML basic string
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


def build_sectioned(cls, toml: dict | None = None, sets: dict | None = None, toml_name: str = "config file"):
    """A config whose dataclass-typed fields are sections: TOML tables ([rules] …) and dotted
    --set keys (rules.min_chars=50); the other fields are flat keys as in build_config."""
    hints = typing.get_type_hints(cls)
    sections = {f.name: hints[f.name] for f in dataclasses.fields(cls) if dataclasses.is_dataclass(hints[f.name])}
    toml, sets = dict(toml or {}), dict(sets or {})
    built = {}
    for name, sub in sections.items():
        table = toml.pop(name, {}) or {}
        if not isinstance(table, dict):
            raise ConfigError(f"[{name}] in {toml_name} must be a table")
        sub_sets = {k.split(".", 1)[1]: sets.pop(k) for k in list(sets) if k.startswith(name + ".")}
        try:
            built[name] = build_config(sub, table, sub_sets, toml_name=toml_name)
        except ConfigError as e:
            raise ConfigError(f"{name}.{e}") from None
    for key in list(toml) + list(sets):
        if "." in key and key.split(".", 1)[0] not in sections:
            raise ConfigError(f"unknown config section {key.split('.', 1)[0]!r}; sections: {', '.join(sections)}")
    flat = build_config(_Flat.of(cls, sections), toml, sets, toml_name=toml_name)
    return cls(**{**dataclasses.asdict(flat), **built})


class _Flat:
    """The non-section fields of a sectioned config, as a dataclass build_config can check."""

    _cache: dict = {}

    @classmethod
    def of(cls, config_cls, sections):
        if config_cls not in cls._cache:

            def copy(f):
                kw = {"metadata": f.metadata}
                if f.default is not dataclasses.MISSING:
                    kw["default"] = f.default
                if f.default_factory is not dataclasses.MISSING:
                    kw["default_factory"] = f.default_factory
                return field(**kw)

            hints = typing.get_type_hints(config_cls)
            fields = [
                (f.name, hints[f.name], copy(f)) for f in dataclasses.fields(config_cls) if f.name not in sections
            ]
            cls._cache[config_cls] = dataclasses.make_dataclass(config_cls.__name__ + "Flat", fields)
        return cls._cache[config_cls]
