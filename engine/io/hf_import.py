"""Import a Hugging Face Llama folder as an LM Dojo run (the way back of engine/io/hf_export.py's export).

    import_hf(ws, "out/")   # a run of stage "import": lmdojo-cli sft WS --from RUN

A folder is accepted when it fits LM Dojo's model (see engine/io/hf_export.py for the mapping) and refused
otherwise with one line naming the unsupported feature (grouped-query attention, biases, rope
scaling, another norm epsilon, an untied output head, …). Weights are read with safetensors only
(never pickle).
"""

from __future__ import annotations

import json
import math
import shlex
import shutil
from pathlib import Path

import torch

from engine import checkpoint as ckpt
from engine.errors import DojoError, few
from engine.io.fsutil import atomic_write_text
from engine.io.hf_export import RMS_EPS, STAGE, TIED, from_llama, llama_shapes
from engine.io.workspace import Workspace
from engine.tokenizer import SPECIAL_TOKENS, text_hash


def import_hf(ws: Workspace, folder: str | Path) -> dict:
    """Turn a Hugging Face Llama folder into a run of stage "import" with one checkpoint (step 0),
    recorded in the store with the folder as its parent, so `sft --from RUN` (or dpo, …) starts
    from it. The folder's tokenizer.json must be the workspace tokenizer, or becomes it when the
    workspace has none. Returns {"run", "checkpoint", "params", "tokenizer", "source"}."""
    from engine.io.store import Store
    from engine.model import GPT
    from engine.tokenizer import tokenizer_hash
    from engine.train.runs import new_run_id

    src = Path(folder).absolute()
    if not src.is_dir():
        raise DojoError(f"no folder {src}")
    hf = _read_config(src / "config.json")
    cfg = _gpt_config(hf, src / "config.json")
    tensors = _read_weights(src)
    state = _check_weights(tensors, hf, cfg, src)
    tok_text, tok = _read_tokenizer(src / "tokenizer.json", cfg.vocab_size)

    adopt = not ws.tokenizer_path.exists()
    if not adopt:
        ws_text = ws.tokenizer_path.read_text(encoding="utf-8")
        if ws_text != tok_text and _json_or_none(ws_text) != json.loads(tok_text):  # same JSON, other spacing: same
            raise DojoError(
                f"{src / 'tokenizer.json'} (hash {text_hash(tok_text)}) differs from the workspace "
                f"tokenizer {ws.tokenizer_path} (hash {text_hash(ws_text)}); import into a workspace "
                "without a tokenizer, or one made with this tokenizer"
            )

    model = GPT(cfg)
    ckpt.load_weights(model, state, TIED)
    lmdojo = hf.get("lmdojo") if isinstance(hf.get("lmdojo"), dict) else {}
    with Store(ws.db_path) as store:
        run_id = new_run_id(ws.runs_dir, STAGE)
        run_dir = ws.run_dir(run_id)
        try:
            if adopt:
                atomic_write_text(ws.tokenizer_path, tok_text)  # byte for byte: its hash is the folder's
            tok_hash = tokenizer_hash(ws.tokenizer_path)
            config = {"source": str(src)}
            command = shlex.join(["lmdojo-cli", "import", str(ws.root), str(src)])
            run_dir.mkdir(parents=True, exist_ok=True)  # new_run_id made it: the id is ours
            atomic_write_text(run_dir / "config.json", json.dumps(config, indent=1, ensure_ascii=False))
            atomic_write_text(run_dir / "command.txt", command + "\n")
            path = ckpt.save(
                run_dir / "checkpoints",
                0,
                model,
                {
                    "stage": STAGE,
                    "run_id": run_id,
                    "model_config": cfg.to_dict(),
                    "tokenizer_hash": tok_hash,
                    "config": config,
                    "parent": str(src),
                    "params": model.num_params(),
                    "source": {
                        "folder": str(src),
                        "run": lmdojo.get("run"),
                        "stage": lmdojo.get("stage"),
                        "step": lmdojo.get("step"),
                    },
                },
            )
            store.create_run(run_id, STAGE, config, command, parent=str(src))
            store.set_status(run_id, "done", f"imported from {src}")
        except BaseException:  # leave no half-made run (nor a tokenizer nothing uses) behind
            shutil.rmtree(run_dir, ignore_errors=True)
            if adopt:
                ws.tokenizer_path.unlink(missing_ok=True)
            raise
    return {
        "run": run_id,
        "checkpoint": str(path),
        "params": model.num_params(),
        "source": str(src),
        "tokenizer": "adopted" if adopt else "matches the workspace",
        "model_config": cfg.to_dict(),
    }


def _read_config(path: Path) -> dict:
    try:
        hf = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DojoError(f"{path} is missing: not a Hugging Face model folder") from None
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise DojoError(f"{path} is damaged ({e})") from None
    if not isinstance(hf, dict):
        raise DojoError(f"{path} is damaged (not a JSON object)")
    return hf


def _gpt_config(hf: dict, where: Path):
    """The GPTConfig of a Llama config, or DojoError naming the first feature LM Dojo's model lacks."""
    from engine.model import GPTConfig

    def refuse(why: str):
        raise DojoError(f"{where}: {why}; LM Dojo's model cannot hold it")

    if hf.get("model_type") != "llama":
        refuse(f"model_type {hf.get('model_type')!r} is not 'llama'")
    try:
        dim, heads = int(hf["hidden_size"]), int(hf["num_attention_heads"])
        layers, hidden, vocab = int(hf["num_hidden_layers"]), int(hf["intermediate_size"]), int(hf["vocab_size"])
        block = int(hf.get("max_position_embeddings") or 2048)
    except (KeyError, TypeError, ValueError) as e:
        raise DojoError(f"{where}: missing or bad size field ({e})") from None
    if min(dim, heads, layers, hidden, vocab, block) < 1:
        refuse("a size field is not positive")
    kv = hf.get("num_key_value_heads")
    if kv is not None and int(kv) != heads:
        refuse(f"grouped-query attention (num_key_value_heads {kv} != num_attention_heads {heads})")
    if dim % heads or (dim // heads) % 2:
        refuse(f"hidden_size {dim} does not split into {heads} heads of even size")
    if hf.get("head_dim") not in (None, dim // heads):
        refuse(f"head_dim {hf['head_dim']} != hidden_size / num_attention_heads ({dim // heads})")
    if hf.get("hidden_act", "silu") not in ("silu", "swish"):
        refuse(f"hidden_act {hf.get('hidden_act')!r} (only silu)")
    for key in ("attention_bias", "mlp_bias"):
        if hf.get(key):
            refuse(f"{key} is true (LM Dojo's layers have no biases)")
    eps = float(hf.get("rms_norm_eps", RMS_EPS))
    if not math.isclose(eps, RMS_EPS, rel_tol=1e-6):
        refuse(f"rms_norm_eps {eps:g} (LM Dojo's RMSNorm uses {RMS_EPS:g})")
    rope = hf.get("rope_parameters") if isinstance(hf.get("rope_parameters"), dict) else {}
    scaling = hf.get("rope_scaling")
    for r in (rope, scaling or {}):
        kind = r.get("rope_type", r.get("type", "default"))
        if kind != "default":
            refuse(f"rope scaling {kind!r}")
    if scaling is not None and not isinstance(scaling, dict):
        refuse(f"rope_scaling {scaling!r}")
    theta = float(hf.get("rope_theta") or rope.get("rope_theta") or 10000.0)

    # An LM Dojo export carries its own model_config: use it when it still describes these sizes,
    # so a round trip gives back exactly the config it left with.
    saved = (hf.get("lmdojo") or {}).get("model_config") if isinstance(hf.get("lmdojo"), dict) else None
    if isinstance(saved, dict):
        try:
            cfg = GPTConfig(**saved)
            if (
                cfg.vocab_size,
                cfg.block_size,
                cfg.n_layer,
                cfg.n_head,
                cfg.n_embd,
                cfg.mlp_hidden,
                cfg.rope_theta,
                cfg.n_experts,
            ) == (vocab, block, layers, heads, dim, hidden, theta, 0):
                return cfg
        except TypeError:
            pass
    # GPTConfig rounds ratio * n_embd up to a multiple of 32; find a ratio that gives `hidden` back.
    for ratio in (hidden / dim, (hidden - 0.5) / dim):
        cfg = GPTConfig(
            vocab_size=vocab,
            block_size=block,
            n_layer=layers,
            n_head=heads,
            n_embd=dim,
            mlp_ratio=ratio,
            rope_theta=theta,
        )
        if cfg.mlp_hidden == hidden:
            return cfg
    refuse(f"intermediate_size {hidden} is not a multiple of 32")


def _read_weights(src: Path) -> dict[str, torch.Tensor]:
    """All tensors of model.safetensors (or of the shards its index names); safetensors only."""
    single, index = src / "model.safetensors", src / "model.safetensors.index.json"
    if single.is_file():
        files = [single]
    elif index.is_file():
        try:
            weight_map = json.loads(index.read_text(encoding="utf-8"))["weight_map"]
            files = [src / name for name in sorted(set(weight_map.values()))]
        except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, AttributeError) as e:
            raise DojoError(f"{index} is damaged ({e})") from None
    elif any(src.glob("*.bin")) or any(src.glob("*.pt")) or any(src.glob("*.pth")):
        raise DojoError(
            f"{src} has only pickle weights (.bin/.pt): LM Dojo reads safetensors only (pickle can run "
            "code); convert them with transformers' save_pretrained(..., safe_serialization=True)"
        )
    else:
        raise DojoError(f"{single} is missing")
    from safetensors import safe_open

    tensors: dict[str, torch.Tensor] = {}
    for f in files:
        try:
            with safe_open(str(f), framework="pt") as h:
                for k in h.keys():  # noqa: SIM118 (a safetensors handle is not iterable)
                    tensors[k] = h.get_tensor(k)
        except FileNotFoundError:
            raise DojoError(f"{f} is missing") from None
        except Exception as e:  # noqa: BLE001 (SafetensorError, OSError, …: a truncated or damaged file)
            raise DojoError(f"{f} is damaged or truncated ({_first_line(e)})") from None
    return tensors


def _check_weights(tensors: dict[str, torch.Tensor], hf: dict, cfg, src: Path) -> dict[str, torch.Tensor]:
    where = src / "model.safetensors"
    expected = llama_shapes(cfg.vocab_size, cfg.n_embd, cfg.mlp_hidden, cfg.n_layer)
    # rotary_emb.inv_freq: a buffer some old exports saved; it is recomputed from rope_theta
    extra = sorted(
        k for k in tensors if k not in expected and k != "lm_head.weight" and not k.endswith("rotary_emb.inv_freq")
    )
    missing = sorted(k for k in expected if k not in tensors)
    if missing or extra:
        parts = ([f"missing {few(missing)}"] if missing else []) + ([f"unexpected {few(extra)}"] if extra else [])
        raise DojoError(f"{where} does not hold a Llama of the size config.json describes: " + "; ".join(parts))
    for k, shape in expected.items():
        t = tensors[k]
        if tuple(t.shape) != shape:
            raise DojoError(
                f"{where} does not hold a Llama of the size config.json describes: {k} has shape "
                f"{tuple(t.shape)}, not {shape}"
            )
        if not t.is_floating_point():
            raise DojoError(f"{where}: {k} is {t.dtype}, not floating point (quantized weights are not supported)")
        if not torch.isfinite(t).all():
            raise DojoError(f"{where}: {k} contains NaN or Inf")
    head = tensors.get("lm_head.weight")
    # Untied is allowed when the head is the embedding anyway (a tied model saved with both copies);
    # a head of its own has no place in LM Dojo's model, which always ties.
    tied = hf.get("tie_word_embeddings", False)  # transformers' default for Llama is untied
    if not tied and head is None:
        raise DojoError(f"{where}: config.json says tie_word_embeddings false but there is no lm_head.weight")
    if not tied and not torch.equal(head.float(), tensors["model.embed_tokens.weight"].float()):
        raise DojoError(
            f"{where}: an untied output head (lm_head.weight differs from model.embed_tokens.weight); "
            "LM Dojo's model ties them"
        )
    return from_llama(tensors, cfg.n_layer)


def _read_tokenizer(path: Path, vocab_size: int):
    from tokenizers import Tokenizer

    try:
        text = path.read_text(encoding="utf-8")
        tok = Tokenizer.from_str(text)
    except FileNotFoundError:
        raise DojoError(f"{path} is missing (LM Dojo needs the fast tokenizer's tokenizer.json)") from None
    except Exception as e:  # noqa: BLE001 (tokenizers raises a bare Exception on a damaged file)
        raise DojoError(f"{path} is damaged ({_first_line(e)})") from None
    lacking = [t for t in SPECIAL_TOKENS if tok.token_to_id(t) is None]
    if lacking:
        raise DojoError(f"{path} lacks LM Dojo's special tokens {' '.join(lacking)} (every stage needs them)")
    if tok.get_vocab_size() > vocab_size:
        raise DojoError(f"{path} has {tok.get_vocab_size()} tokens, more than the model's vocab_size {vocab_size}")
    return text, tok


def _first_line(e: Exception) -> str:
    return str(e).splitlines()[0] if str(e).strip() else type(e).__name__


def _json_or_none(text: str):
    try:
        return json.loads(text)
    except ValueError:
        return None
