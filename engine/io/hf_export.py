"""Hugging Face export and import: models trained in LM Dojo leave in a standard format and come back.

    export_hf(ws, "sft-20250101-120000", "out/")   # a folder transformers, PEFT and llama.cpp read

LM Dojo's GPT is a Llama in all but names: RMSNorm (eps 1e-6), rotary embeddings, SwiGLU, no
biases, a tied output head. So a run leaves as `LlamaForCausalLM`:

    out/
      config.json               Llama config (+ an "lmdojo" entry: run, step, LM Dojo's model_config)
      generation_config.json    stops at end-of-turn or end-of-text
      model.safetensors         Llama tensor names, fp32; no lm_head (tied to model.embed_tokens)
      tokenizer.json            the workspace tokenizer, byte for byte
      tokenizer_config.json     special tokens and the chat template as Jinja
      special_tokens_map.json
      README.md                 model card: lineage, final metrics, how to use it
      adapter/                  only for a LoRA run: the adapters in PEFT's layout

Names and layout, LM Dojo -> Llama:
  * `attn.qkv` is one fused matrix whose rows are [q; k; v] (heads in order): it splits into
    q_proj, k_proj, v_proj; `ffn.gate_up`'s rows are [gate; up] (see SwiGLU.forward).
  * RoPE: LM Dojo rotates the pairs (x[i], x[i + D/2]) of the two halves of a head, which is
    exactly transformers' `rotate_half` convention (with the same inverse frequencies), so q and k
    need no permutation. (Meta's original Llama weights rotate interleaved pairs; that is why
    transformers' own conversion script permutes them. Ours must not be permuted.)
  * The output head is tied to the embedding: `tie_word_embeddings: true` and no lm_head tensor,
    which transformers and llama.cpp both read as "the output matrix is the embedding".

The way back, `import_hf`, is in engine/io/hf_import.py.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import torch

from engine import checkpoint as ckpt
from engine.errors import DojoError
from engine.io.fsutil import atomic_write_bytes, building_dir, check_output_dir, fill_dir, fsync_dir
from engine.io.workspace import Workspace
from engine.model import n_layers
from engine.tokenizer import ASSISTANT, END, EOT, PAD, ROLE_TOKENS, SPECIAL_TOKENS

FORMAT = "lmdojo-hf-1"  # the "lmdojo" entry of an exported config.json
STAGE = "import"
RMS_EPS = 1e-6  # engine.model.RMSNorm's epsilon (fixed, not part of GPTConfig)
TIED = {"lm_head.weight": "tok_emb.weight"}  # engine.model.GPT ties its head to the embedding

# LM Dojo's LoRA targets -> the Llama modules they become (fused matrices split by rows)
LORA_TARGETS = {
    "qkv": ("self_attn", ("q_proj", "k_proj", "v_proj")),
    "proj": ("self_attn", ("o_proj",)),
    "gate_up": ("mlp", ("gate_proj", "up_proj")),
    "down": ("mlp", ("down_proj",)),
}


# -- the chat template ------------------------------------------------------------------------
def chat_template() -> str:
    """engine.tokenizer.render_chat as Jinja (what `apply_chat_template` runs): each message is its
    role token, its content and <|end|>; add_generation_prompt appends <|assistant|>. One line, so
    transformers' trim_blocks/lstrip_blocks have no whitespace to change."""
    roles = "{" + ", ".join(f"'{r}': '{t}'" for r, t in ROLE_TOKENS.items()) + "}"
    return (
        "{%- set role_tokens = " + roles + " -%}"
        "{%- for message in messages -%}"
        "{%- if message['role'] not in role_tokens -%}"
        "{{- raise_exception('role must be system, user or assistant, got ' ~ message['role']) -}}"
        "{%- endif -%}"
        "{{- role_tokens[message['role']] ~ (message['content'] if message['content'] is defined "
        "and message['content'] is not none else '') ~ '" + END + "' -}}"
        "{%- endfor -%}"
        "{%- if add_generation_prompt -%}{{- '" + ASSISTANT + "' -}}{%- endif -%}"
    )


# -- tensors: LM Dojo <-> Llama ---------------------------------------------------------------
def to_llama(state: dict[str, torch.Tensor], n_layer: int) -> dict[str, torch.Tensor]:
    """A GPT state dict (plain, merged) -> Llama tensors, fp32 and contiguous; the tied head is left out."""

    def t(key):
        return state[key].detach().float().contiguous().cpu()

    out = {"model.embed_tokens.weight": t("tok_emb.weight"), "model.norm.weight": t("norm.weight")}
    for i in range(n_layer):
        b, h = f"blocks.{i}.", f"model.layers.{i}."
        q, k, v = t(b + "attn.qkv.weight").chunk(3, dim=0)
        gate, up = t(b + "ffn.gate_up.weight").chunk(2, dim=0)
        out |= {
            h + "input_layernorm.weight": t(b + "norm1.weight"),
            h + "post_attention_layernorm.weight": t(b + "norm2.weight"),
            h + "self_attn.q_proj.weight": q.contiguous(),
            h + "self_attn.k_proj.weight": k.contiguous(),
            h + "self_attn.v_proj.weight": v.contiguous(),
            h + "self_attn.o_proj.weight": t(b + "attn.proj.weight"),
            h + "mlp.gate_proj.weight": gate.contiguous(),
            h + "mlp.up_proj.weight": up.contiguous(),
            h + "mlp.down_proj.weight": t(b + "ffn.down.weight"),
        }
    return out


def llama_shapes(vocab: int, dim: int, hidden: int, n_layer: int) -> dict[str, tuple[int, ...]]:
    """Every tensor a tied Llama of this size has, with its shape (no lm_head)."""
    shapes = {"model.embed_tokens.weight": (vocab, dim), "model.norm.weight": (dim,)}
    for i in range(n_layer):
        h = f"model.layers.{i}."
        shapes |= {
            h + "input_layernorm.weight": (dim,),
            h + "post_attention_layernorm.weight": (dim,),
            **{h + f"self_attn.{p}.weight": (dim, dim) for p in ("q_proj", "k_proj", "v_proj", "o_proj")},
            h + "mlp.gate_proj.weight": (hidden, dim),
            h + "mlp.up_proj.weight": (hidden, dim),
            h + "mlp.down_proj.weight": (dim, hidden),
        }
    return shapes


def from_llama(tensors: dict[str, torch.Tensor], n_layer: int) -> dict[str, torch.Tensor]:
    """Llama tensors (checked against llama_shapes) -> a GPT state dict without the tied head."""

    def t(key):
        return tensors[key].float().contiguous()

    out = {"tok_emb.weight": t("model.embed_tokens.weight"), "norm.weight": t("model.norm.weight")}
    for i in range(n_layer):
        b, h = f"blocks.{i}.", f"model.layers.{i}."
        out |= {
            b + "norm1.weight": t(h + "input_layernorm.weight"),
            b + "norm2.weight": t(h + "post_attention_layernorm.weight"),
            b + "attn.qkv.weight": torch.cat([t(h + f"self_attn.{p}_proj.weight") for p in "qkv"]),
            b + "attn.proj.weight": t(h + "self_attn.o_proj.weight"),
            b + "ffn.gate_up.weight": torch.cat([t(h + "mlp.gate_proj.weight"), t(h + "mlp.up_proj.weight")]),
            b + "ffn.down.weight": t(h + "mlp.down_proj.weight"),
        }
    return out


# -- export -----------------------------------------------------------------------------------
def export_hf(ws: Workspace, run_ref: str, out_dir: str | Path) -> dict:
    """Write run `run_ref` (a run id: its newest checkpoint; or a checkpoint folder) as a Hugging Face
    Llama folder at `out_dir`, atomically. A LoRA run's merged model is the main model; its adapters
    also go to out_dir/adapter/ in PEFT's layout. Returns {"path", "run", "params", "files", …}."""
    from engine.io.store import Store
    from engine.tokenizer import load_tokenizer, special_id, tokenizer_hash

    out = Path(out_dir).absolute()
    _check_out_dir(out)
    folder = ckpt.resolve(ws.runs_dir, str(run_ref))
    meta = ckpt.read_meta(folder)
    run_id = meta.get("run_id") or folder.parent.parent.name
    mc = meta.get("model_config") or {}
    # Refused before any weight is read: neither has a Llama equivalent transformers would load.
    if mc.get("n_experts"):
        raise DojoError(
            f"run {run_id} is a mixture-of-experts model ({mc['n_experts']} experts): "
            "the Llama format has no experts, so it cannot be exported"
        )
    if meta.get("head") == "reward":
        raise DojoError(
            f"run {run_id} is a reward model (a scalar head, not a language model): the Llama format cannot hold it"
        )
    tok = load_tokenizer(ws.tokenizer_path)
    tok_text = ws.tokenizer_path.read_text(encoding="utf-8")
    model, meta = ckpt.load_gpt(folder, "cpu", tokenizer_hash(ws.tokenizer_path))
    cfg = model.cfg
    ids = {name: special_id(tok, t) for name, t in (("eot", EOT), ("pad", PAD), ("end", END))}

    with Store(ws.db_path) as store:
        lineage = _lineage(store, run_id, meta)
        metrics = _final_metrics(store, run_id)

    files: dict[str, bytes] = {}
    from safetensors.torch import save

    files["model.safetensors"] = save(to_llama(model.state_dict(), cfg.n_layer), metadata={"format": "pt"})
    hf_config = {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "hidden_size": cfg.n_embd,
        "intermediate_size": cfg.mlp_hidden,
        "num_hidden_layers": cfg.n_layer,
        "num_attention_heads": cfg.n_head,
        "num_key_value_heads": cfg.n_head,
        "head_dim": cfg.head_dim,
        "vocab_size": cfg.vocab_size,
        "max_position_embeddings": cfg.block_size,
        "rms_norm_eps": RMS_EPS,
        "rope_theta": cfg.rope_theta,
        "rope_scaling": None,
        "hidden_act": "silu",
        "tie_word_embeddings": True,
        "attention_bias": False,
        "attention_dropout": 0.0,
        "mlp_bias": False,
        "initializer_range": 0.02,
        "use_cache": True,
        "torch_dtype": "float32",
        "bos_token_id": ids["eot"],
        "eos_token_id": [ids["end"], ids["eot"]],
        "pad_token_id": ids["pad"],
        "lmdojo": {
            "format": FORMAT,
            "run": run_id,
            "stage": meta.get("stage"),
            "step": meta.get("step"),
            "model_config": cfg.to_dict(),
            "tokenizer_hash": meta.get("tokenizer_hash"),
        },
    }
    files["config.json"] = _json_bytes(hf_config)
    # End-of-turn first: a chat answer ends there; end-of-text ends a plain continuation.
    files["generation_config.json"] = _json_bytes(
        {"bos_token_id": ids["eot"], "eos_token_id": [ids["end"], ids["eot"]], "pad_token_id": ids["pad"]}
    )
    files["tokenizer.json"] = tok_text.encode("utf-8")
    special = {
        "bos_token": EOT,
        "eos_token": END,
        "pad_token": PAD,
        "additional_special_tokens": [t for t in SPECIAL_TOKENS if t not in (EOT, END, PAD)],
    }
    files["tokenizer_config.json"] = _json_bytes(
        {
            "tokenizer_class": "PreTrainedTokenizerFast",
            **special,
            "unk_token": None,
            "add_bos_token": False,
            "add_eos_token": False,  # LM Dojo never prepends or appends a token
            "clean_up_tokenization_spaces": False,
            "model_max_length": cfg.block_size,
            "chat_template": chat_template(),
        }
    )
    files["special_tokens_map.json"] = _json_bytes(special)

    adapter = None
    if meta.get("lora"):
        adapter_tensors, adapter_config = peft_adapter(folder, meta, lineage)
        files["adapter/adapter_model.safetensors"] = save(adapter_tensors, metadata={"format": "pt"})
        files["adapter/adapter_config.json"] = _json_bytes(adapter_config)
        adapter = adapter_config
    params = model.num_params()
    files["README.md"] = _model_card(run_id, meta, cfg, params, lineage, metrics, adapter).encode("utf-8")

    try:
        tmp = building_dir(out)
        try:
            for name, data in files.items():
                atomic_write_bytes(tmp / name, data)
            fsync_dir(tmp)
            fill_dir(tmp, out)  # an earlier export's own files are replaced; a person's stay (its
            # config.json says it is ours: no marker file in a folder meant for the Hub)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    except OSError as e:
        raise DojoError(f"cannot write {out}: {e.strerror or e}") from None
    return {
        "path": str(out),
        "run": run_id,
        "checkpoint": str(folder),
        "params": params,
        "files": sorted(files),
        "adapter": str(out / "adapter") if adapter else None,
    }


def _earlier_export(out: Path) -> bool:
    try:
        return json.loads((out / "config.json").read_text(encoding="utf-8")).get("lmdojo", {}).get("format") == FORMAT
    except (OSError, ValueError, AttributeError):
        return False


def _check_out_dir(out: Path) -> None:
    """Never write into someone's folder: only a missing or empty one, or an earlier export."""
    check_output_dir(out, "export", legacy=_earlier_export)


def _json_bytes(obj) -> bytes:
    return (json.dumps(obj, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def peft_adapter(folder: Path, meta: dict, lineage: list[dict] | None = None) -> tuple[dict[str, torch.Tensor], dict]:
    """The LoRA adapters of checkpoint `folder` in PEFT's layout -> (tensors, adapter_config).

    Read from the checkpoint itself (it holds base + A/B), so the adapter always matches the exported
    merged weights, also for a checkpoint before the run's end (run/adapter.safetensors is written
    only when a run finishes). A fused adapter (qkv, gate_up) becomes one adapter per Llama module:
    they share A, and B splits by rows like the fused weight: W + B·A·s = [Wq + Bq·A·s; Wk + Bk·A·s; …].
    Embeddings trained next to the adapters (lora_train_embeddings) are saved as PEFT's
    modules_to_save for both embed_tokens and lm_head, so a tied or untied base gets them on both ends.
    """
    lora = meta["lora"]
    tensors = ckpt.load(folder, with_train_state=False).model
    out: dict[str, torch.Tensor] = {}
    targets: set[str] = set()
    for key_a in sorted(k for k in tensors if k.endswith(".lora_A")):
        module = key_a.removesuffix(".lora_A")  # blocks.3.attn.qkv
        _, layer, _, name = module.split(".")
        part, hf_names = LORA_TARGETS[name]
        a = tensors[key_a].float().contiguous()
        bs = tensors[f"{module}.lora_B"].float().chunk(len(hf_names), dim=0)
        for hf_name, b in zip(hf_names, bs):
            prefix = f"base_model.model.model.layers.{layer}.{part}.{hf_name}"
            out[f"{prefix}.lora_A.weight"] = a.clone()
            out[f"{prefix}.lora_B.weight"] = b.contiguous()
            targets.add(hf_name)
    modules_to_save = None
    if (meta.get("config") or {}).get("lora_train_embeddings", True):
        emb = tensors["tok_emb.weight"].float().contiguous()
        out["base_model.model.model.embed_tokens.weight"] = emb
        out["base_model.model.lm_head.weight"] = emb.clone()
        modules_to_save = ["embed_tokens", "lm_head"]
    base = next((x["run"] for x in (lineage or [])[1:2] if x.get("run")), None) or str(meta.get("parent") or "")
    config = {
        "peft_type": "LORA",
        "task_type": "CAUSAL_LM",
        "base_model_name_or_path": base,
        "r": int(lora["rank"]),
        "lora_alpha": float(lora["alpha"]),
        "lora_dropout": float(lora["dropout"]),
        "target_modules": sorted(targets),
        "modules_to_save": modules_to_save,
        "bias": "none",
        "fan_in_fan_out": False,
        "inference_mode": True,
        "init_lora_weights": True,
        "use_rslora": False,
        "use_dora": False,
        "layers_to_transform": None,
        "layers_pattern": None,
        "rank_pattern": {},
        "alpha_pattern": {},
        "revision": None,
    }
    return out, config


def _lineage(store, run_id: str, meta: dict) -> list[dict]:
    """This run and the runs it started from, newest first; the last entry may be an outside source
    (an imported folder). A parent is a checkpoint path; its run is the folder two levels up."""
    chain, seen = [], set()
    current, parent = run_id, meta.get("parent")
    while current and current not in seen:
        seen.add(current)
        row = store.run(current)
        if row is None and not chain:  # a checkpoint folder outside the store: its meta still knows
            chain.append({"run": current, "stage": meta.get("stage"), "status": None, "parent": parent})
        elif row is None:
            break
        else:
            parent = row["parent"]
            chain.append({"run": current, "stage": row["stage"], "status": row["status"], "parent": parent})
        if not parent:
            break
        found = ckpt.run_and_step(parent)
        nxt = found[0] if found else None
        if nxt is None or store.run(nxt) is None:
            chain.append({"run": None, "stage": "source", "status": None, "parent": parent})
            break
        current = nxt
    return chain


def _final_metrics(store, run_id: str) -> dict[str, dict]:
    out = {}
    for key in store.metric_keys(run_id):
        rows = store.metrics(run_id, key)
        if rows:
            step, value = rows[-1]
            out[key] = {"step": step, "value": value}
    return out


def _model_card(run_id, meta, cfg, params, lineage, metrics, adapter) -> str:
    lines = [
        "---",
        "library_name: transformers",
        "pipeline_tag: text-generation",
        "tags:",
        "- lm-dojo",
        "- llama",
        "---",
        "",
        f"# {run_id}",
        "",
        f"A small GPT trained with LM Dojo (stage `{meta.get('stage')}`, step "
        f"{meta.get('step')}), exported as a Llama model: {params:,} parameters, {n_layers(cfg.n_layer)}, "
        f"{cfg.n_head} heads, width {cfg.n_embd}, feed-forward {cfg.mlp_hidden}, context {cfg.block_size} "
        f"tokens, vocabulary {cfg.vocab_size}, RoPE theta {cfg.rope_theta:g}, tied embeddings, fp32.",
        "",
        "## Lineage",
        "",
        "Newest first; each run started from the checkpoint in its last column.",
        "",
        "| run | stage | status | started from |",
        "|---|---|---|---|",
    ]
    for x in lineage:
        lines.append(f"| {x['run'] or '—'} | {x['stage'] or '?'} | {x['status'] or ''} | {x['parent'] or '—'} |")
    lines += ["", "## Final metrics", ""]
    if metrics:
        lines += ["| metric | step | value |", "|---|---|---|"]
        lines += [f"| {k} | {v['step']} | {v['value']:.6g} |" for k, v in metrics.items()]
    else:
        lines.append("None recorded in the workspace database.")
    lines += [
        "",
        "## Use",
        "",
        "```python",
        "from transformers import AutoModelForCausalLM, AutoTokenizer",
        'PATH = "path/to/this/folder"',
        "tok = AutoTokenizer.from_pretrained(PATH)",
        "model = AutoModelForCausalLM.from_pretrained(PATH)",
        'messages = [{"role": "user", "content": "Hello"}]',
        'inputs = tok.apply_chat_template(messages, add_generation_prompt=True, return_tensors="pt", return_dict=True)',
        "out = model.generate(**inputs, max_new_tokens=64)  # stops at <|end|> (generation_config.json)",
        'print(tok.decode(out[0, inputs["input_ids"].shape[-1]:], skip_special_tokens=True))',
        "```",
        "",
        f"Chat format: `<|system|>…{END}<|user|>…{END}<|assistant|>…{END}` (the tokenizer's chat "
        "template). "
        "No token is prepended; `<|endoftext|>` separates documents.",
        "",
    ]
    if adapter:
        lines += [
            "## LoRA adapter",
            "",
            f"`adapter/` holds this run's LoRA adapters in PEFT's layout (r={adapter['r']}, "
            f"alpha={adapter['lora_alpha']:g}, modules {', '.join(adapter['target_modules'])}). The main "
            "folder is the merged model: use it unless you want the adapters themselves. Their base is the "
            f"run `{adapter['base_model_name_or_path']}`; export it with "
            f"`lmdojo-cli export WS --run {adapter['base_model_name_or_path']} --format hf BASE` and load "
            '`PeftModel.from_pretrained(AutoModelForCausalLM.from_pretrained(BASE), PATH + "/adapter")`.',
        ]
        if adapter["modules_to_save"]:
            lines.append(
                "The token embeddings were trained next to the adapters; they are in the adapter as "
                "`modules_to_save` (embed_tokens and lm_head, which the base ties)."
            )
        lines.append("")
    lines += [
        "## GGUF (llama.cpp)",
        "",
        "```sh",
        "python llama.cpp/convert_hf_to_gguf.py PATH --outtype f16 --outfile model.gguf",
        "```",
        "",
        "The tokenizer was trained by LM Dojo, so the converter does not know its hash and stops with "
        '"BPE pre-tokenizer was not recognized", printing a `chkhsh`. Its pre-tokenizer is GPT-2\'s '
        'byte-level one: add `if chkhsh == "<that hash>": res = "gpt-2"` to `get_vocab_base_pre()` '
        "in your llama.cpp checkout and run the converter again.",
        "",
    ]
    return "\n".join(lines)
