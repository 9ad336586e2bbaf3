"""Hugging Face export and import (engine/io/hf_export.py, engine/io/hf_import.py): the Llama folder transformers loads with the same
logits, the chat template as Jinja, PEFT adapters, the round trip back into a workspace, refusals."""

from __future__ import annotations

import json
import warnings

import pytest
import torch
from safetensors.torch import load_file

from engine import checkpoint as ckpt
from engine.cli import main
from engine.errors import DojoError
from engine.io import hf_export as hf
from engine.io import hf_import
from engine.io.store import Store
from engine.model import GPT, GPTConfig, RewardModel, apply_rope, rope_tables
from engine.tokenizer import END, EOT, PAD, chat_ids, load_tokenizer, render_chat
from tests.conftest import run_events
from tests.engine.hf_world import MESSAGES, our_model, save_checkpoint, token_batches


def test_export_writes_a_llama_folder(tws, tmp_path):
    ws, runs = tws
    out = tmp_path / "out"
    r = hf.export_hf(ws, runs["sft"], out)
    model = our_model(ws, runs["sft"])
    cfg = model.cfg
    assert r["path"] == str(out) and r["run"] == runs["sft"] and r["params"] == model.num_params()
    assert set(r["files"]) == {
        "config.json",
        "generation_config.json",
        "model.safetensors",
        "tokenizer.json",
        "tokenizer_config.json",
        "special_tokens_map.json",
        "README.md",
    }
    assert r["adapter"] is None and not (out / "adapter").exists()
    assert sorted(p.name for p in out.iterdir()) == sorted(r["files"])
    assert not list(tmp_path.glob(".out.tmp*"))  # the temp folder was renamed

    tok = load_tokenizer(ws.tokenizer_path)
    end, eot, pad = (tok.token_to_id(t) for t in (END, EOT, PAD))
    c = json.loads((out / "config.json").read_text())
    assert c["architectures"] == ["LlamaForCausalLM"] and c["model_type"] == "llama"
    assert (
        c["hidden_size"],
        c["intermediate_size"],
        c["num_hidden_layers"],
        c["num_attention_heads"],
        c["num_key_value_heads"],
        c["vocab_size"],
        c["max_position_embeddings"],
    ) == (cfg.n_embd, cfg.mlp_hidden, cfg.n_layer, cfg.n_head, cfg.n_head, cfg.vocab_size, cfg.block_size)
    assert c["rms_norm_eps"] == 1e-6 and c["rope_theta"] == cfg.rope_theta and c["hidden_act"] == "silu"
    assert c["tie_word_embeddings"] is True and c["attention_bias"] is False and c["mlp_bias"] is False
    assert c["torch_dtype"] == "float32"
    assert (c["bos_token_id"], c["eos_token_id"], c["pad_token_id"]) == (eot, [end, eot], pad)
    assert json.loads((out / "generation_config.json").read_text())["eos_token_id"] == [end, eot]
    assert (out / "tokenizer.json").read_bytes() == ws.tokenizer_path.read_bytes()
    tc = json.loads((out / "tokenizer_config.json").read_text())
    assert (tc["eos_token"], tc["pad_token"], tc["bos_token"]) == (END, PAD, EOT)

    # Llama's names and shapes, and the fused matrices split by rows
    tensors = load_file(str(out / "model.safetensors"))
    expected = hf.llama_shapes(cfg.vocab_size, cfg.n_embd, cfg.mlp_hidden, cfg.n_layer)
    assert {k: tuple(v.shape) for k, v in tensors.items()} == expected  # tied: no lm_head tensor
    assert all(v.dtype == torch.float32 for v in tensors.values())
    sd = model.state_dict()
    for i in range(cfg.n_layer):
        q, k, v = sd[f"blocks.{i}.attn.qkv.weight"].chunk(3)
        gate, up = sd[f"blocks.{i}.ffn.gate_up.weight"].chunk(2)
        h = f"model.layers.{i}."
        for name, want in (
            ("self_attn.q_proj", q),
            ("self_attn.k_proj", k),
            ("self_attn.v_proj", v),
            ("self_attn.o_proj", sd[f"blocks.{i}.attn.proj.weight"]),
            ("mlp.gate_proj", gate),
            ("mlp.up_proj", up),
            ("mlp.down_proj", sd[f"blocks.{i}.ffn.down.weight"]),
            ("input_layernorm", sd[f"blocks.{i}.norm1.weight"]),
            ("post_attention_layernorm", sd[f"blocks.{i}.norm2.weight"]),
        ):
            assert torch.equal(tensors[f"{h}{name}.weight"], want), name
    assert torch.equal(tensors["model.embed_tokens.weight"], sd["tok_emb.weight"])

    card = (out / "README.md").read_text()
    assert runs["sft"] in card and runs["pretrain"] in card and "val/loss" in card
    with Store(ws.db_path) as store:
        final_val = store.metrics(runs["sft"], "val/loss")[-1][1]
    assert f"{final_val:.6g}" in card

    folder = ckpt.resolve(ws.runs_dir, runs["sft"])  # a checkpoint folder names the same model
    again = hf.export_hf(ws, str(folder), tmp_path / "by-folder")
    assert again["run"] == runs["sft"]
    assert (tmp_path / "by-folder" / "model.safetensors").read_bytes() == (out / "model.safetensors").read_bytes()

    hf.export_hf(ws, runs["sft"], out)  # an earlier export is replaced…
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("mine")
    with pytest.raises(DojoError, match="not empty"):  # …someone's folder is not
        hf.export_hf(ws, runs["sft"], tmp_path / "mine")


def test_rope_convention_is_transformers_rotate_half():
    """LM Dojo rotates the two halves of a head, as transformers' rotate_half does: no q/k permutation."""
    x = torch.randn(1, 2, 7, 16)
    cos, sin = rope_tables(16, 7, 500000.0)
    inv_freq = 1.0 / 500000.0 ** (torch.arange(0, 16, 2).float() / 16)
    emb = torch.cat([torch.outer(torch.arange(7).float(), inv_freq)] * 2, dim=-1)  # transformers' cos/sin layout
    rotate_half = torch.cat([-x[..., 8:], x[..., :8]], dim=-1)
    assert torch.allclose(apply_rope(x, cos, sin), x * emb.cos() + rotate_half * emb.sin(), atol=1e-6)


def test_chat_template_renders_like_render_chat():
    jinja2 = pytest.importorskip("jinja2")
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    # the environment transformers' apply_chat_template renders in
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    env.globals["raise_exception"] = raise_exception
    template = env.from_string(hf.chat_template())
    for messages in (MESSAGES, MESSAGES[1:], MESSAGES[:1], [{"role": "user", "content": ""}], []):
        for gen in (False, True):
            assert template.render(messages=messages, add_generation_prompt=gen) == render_chat(messages, gen)
    with pytest.raises(jinja2.exceptions.TemplateError, match="role must be"):
        template.render(messages=[{"role": "tool", "content": "x"}], add_generation_prompt=False)


def test_transformers_loads_the_same_model(tws, tmp_path):
    pytest.importorskip("jinja2")
    transformers = pytest.importorskip("transformers")
    ws, runs = tws
    out = tmp_path / "out"
    hf.export_hf(ws, runs["sft"], out)
    theirs = transformers.AutoModelForCausalLM.from_pretrained(out).eval()  # fp32, as config.json says
    ours = our_model(ws, runs["sft"])
    assert sum(p.numel() for p in theirs.parameters()) == ours.num_params()  # tied: one matrix
    with torch.no_grad():
        for x in token_batches(ws):
            diff = (theirs(x).logits - ours(x)[0]).abs().max().item()
            assert diff <= 1e-4, diff

    tok = transformers.AutoTokenizer.from_pretrained(out)
    for gen in (True, False):
        text = tok.apply_chat_template(MESSAGES, tokenize=False, add_generation_prompt=gen)
        assert text == render_chat(MESSAGES, add_generation_prompt=gen)
    ours_tok = load_tokenizer(ws.tokenizer_path)
    text = render_chat(MESSAGES, add_generation_prompt=True)
    # transformers reads the template's control tokens from the text; LM Dojo puts them in by id
    assert tok(text, add_special_tokens=False)["input_ids"] == chat_ids(ours_tok, MESSAGES, add_generation_prompt=True)
    assert tok.eos_token == END and tok.pad_token == PAD


def test_transformers_rope_on_a_random_model(ws, tmp_path):
    """A random model with large weights and a non-default RoPE theta: position handling is what differs
    most between conventions, and a tiny trained model barely uses it."""
    pytest.importorskip("jinja2")
    transformers = pytest.importorskip("transformers")
    torch.manual_seed(0)
    vocab = load_tokenizer(ws.tokenizer_path).get_vocab_size()
    model = GPT(GPTConfig(vocab_size=vocab, block_size=64, n_layer=2, n_head=4, n_embd=64, rope_theta=500000.0))
    with torch.no_grad():
        for p in model.parameters():
            p.mul_(4)
    save_checkpoint(ws, "random", model)
    hf.export_hf(ws, "random", tmp_path / "out")
    theirs = transformers.AutoModelForCausalLM.from_pretrained(tmp_path / "out").eval()
    x = torch.randint(0, vocab, (2, 64), generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        a, b = theirs(x).logits, model.eval()(x)[0]
    assert (a - b).abs().max().item() <= 1e-4 * max(1.0, b.abs().max().item())


# -- round trip -------------------------------------------------------------------------------
def test_round_trip_and_training_on_from_the_import(tws, tmp_path, one_thread):
    from engine.train import sft

    ws, runs = tws
    out = tmp_path / "out"
    hf.export_hf(ws, runs["sft"], out)
    r = hf_import.import_hf(ws, out)
    assert r["tokenizer"] == "matches the workspace"
    original, imported = our_model(ws, runs["sft"]), our_model(ws, r["run"])
    assert original.cfg == imported.cfg
    a, b = original.state_dict(), imported.state_dict()
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)
    assert imported.lm_head.weight is imported.tok_emb.weight  # still tied
    with Store(ws.db_path) as store:
        row = store.run(r["run"])
    assert (row["stage"], row["status"], row["parent"]) == ("import", "done", str(out))
    meta = ckpt.read_meta(ckpt.resolve(ws.runs_dir, r["run"]))
    assert meta["source"]["run"] == runs["sft"] and meta["parent"] == str(out)

    # an SFT run starts from the imported run, as `lmdojo-cli sft WS --from RUN` does
    ev = run_events(
        sft.run(
            ws,
            sft.make_config(
                sets={
                    "base": r["run"],
                    "max_steps": "3",
                    "batch_size": "4",
                    "eval_every": "3",
                    "sample_every": "0",
                    "checkpoint_every": "3",
                    "threads": "1",
                }
            ),
        )
    )
    assert ev[-1].result["steps"] == 3
    with Store(ws.db_path) as store:
        assert store.run(ev[-1].result["run"])["parent"] == r["checkpoint"]

    # and the lineage of a run trained on an import ends at the folder it came from
    hf.export_hf(ws, ev[-1].result["run"], tmp_path / "again")
    card = (tmp_path / "again" / "README.md").read_text()
    assert r["run"] in card and str(out) in card


def test_export_refuses_moe_and_reward_models(ws, tmp_path):
    vocab = load_tokenizer(ws.tokenizer_path).get_vocab_size()
    save_checkpoint(
        ws, "moe", GPT(GPTConfig(vocab_size=vocab, block_size=16, n_layer=1, n_head=2, n_embd=32, n_experts=2))
    )
    with pytest.raises(DojoError, match="moe is a mixture-of-experts model") as e:
        hf.export_hf(ws, "moe", tmp_path / "out")
    assert "\n" not in str(e.value)
    save_checkpoint(
        ws, "rm", RewardModel(GPTConfig(vocab_size=vocab, block_size=16, n_layer=1, n_head=2, n_embd=32)), head="reward"
    )
    with pytest.raises(DojoError, match="rm is a reward model"):
        hf.export_hf(ws, "rm", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_lora_run_exports_peft_adapters(tws, tmp_path):
    ws, runs = tws
    out = tmp_path / "out"
    r = hf.export_hf(ws, runs["lora"], out)
    assert r["adapter"] == str(out / "adapter")
    assert {"adapter/adapter_config.json", "adapter/adapter_model.safetensors"} <= set(r["files"])
    meta = ckpt.read_meta(ckpt.resolve(ws.runs_dir, runs["lora"]))
    lora = meta["lora"]
    conf = json.loads((out / "adapter" / "adapter_config.json").read_text())
    assert conf["peft_type"] == "LORA" and conf["task_type"] == "CAUSAL_LM"
    assert (conf["r"], conf["lora_alpha"], conf["lora_dropout"]) == (lora["rank"], lora["alpha"], lora["dropout"])
    assert sorted(conf["target_modules"]) == [
        "down_proj",
        "gate_proj",
        "k_proj",
        "o_proj",
        "q_proj",
        "up_proj",
        "v_proj",
    ]
    assert conf["base_model_name_or_path"] == runs["pretrain"]
    assert conf["modules_to_save"] == ["embed_tokens", "lm_head"]

    adapter = load_file(str(out / "adapter" / "adapter_model.safetensors"))
    merged = load_file(str(out / "model.safetensors"))
    cfg = our_model(ws, runs["lora"]).cfg
    base = hf.to_llama(our_model(ws, runs["pretrain"]).state_dict(), cfg.n_layer)  # what the adapters sit on
    rank, scale = lora["rank"], lora["alpha"] / lora["rank"]
    shapes = {
        "self_attn.q_proj": (cfg.n_embd, cfg.n_embd),
        "self_attn.k_proj": (cfg.n_embd, cfg.n_embd),
        "self_attn.v_proj": (cfg.n_embd, cfg.n_embd),
        "self_attn.o_proj": (cfg.n_embd, cfg.n_embd),
        "mlp.gate_proj": (cfg.mlp_hidden, cfg.n_embd),
        "mlp.up_proj": (cfg.mlp_hidden, cfg.n_embd),
        "mlp.down_proj": (cfg.n_embd, cfg.mlp_hidden),
    }
    expected_keys = {"base_model.model.model.embed_tokens.weight", "base_model.model.lm_head.weight"}
    for i in range(cfg.n_layer):
        for module, (n_out, n_in) in shapes.items():
            prefix = f"base_model.model.model.layers.{i}.{module}"
            a, b = adapter[f"{prefix}.lora_A.weight"], adapter[f"{prefix}.lora_B.weight"]
            assert a.shape == (rank, n_in) and b.shape == (n_out, rank)
            w = f"model.layers.{i}.{module}.weight"
            assert torch.allclose(base[w] + b @ a * scale, merged[w], atol=1e-6), w
            assert not torch.equal(base[w], merged[w])  # the adapters did learn something
            expected_keys |= {f"{prefix}.lora_A.weight", f"{prefix}.lora_B.weight"}
    assert set(adapter) == expected_keys
    assert torch.equal(adapter["base_model.model.model.embed_tokens.weight"], merged["model.embed_tokens.weight"])
    assert torch.equal(adapter["base_model.model.lm_head.weight"], merged["model.embed_tokens.weight"])
    assert "## LoRA adapter" in (out / "README.md").read_text()


def test_peft_loads_the_adapters(tws, tmp_path):
    """PEFT (a dev dependency) loads base + adapter, and it computes what the merged folder does."""
    transformers = pytest.importorskip("transformers")
    peft = pytest.importorskip("peft")
    ws, runs = tws
    hf.export_hf(ws, runs["lora"], tmp_path / "lora")
    hf.export_hf(ws, runs["pretrain"], tmp_path / "base")
    auto = transformers.AutoModelForCausalLM
    with warnings.catch_warnings():  # newer PEFT notes that embed_tokens and lm_head are tied in the base
        warnings.simplefilter("ignore")
        model = peft.PeftModel.from_pretrained(auto.from_pretrained(tmp_path / "base"), tmp_path / "lora" / "adapter")
    merged = auto.from_pretrained(tmp_path / "lora").eval()
    x = token_batches(ws)[0]
    with torch.no_grad():
        assert (model.eval()(x).logits - merged(x).logits).abs().max().item() <= 1e-4


# -- CLI --------------------------------------------------------------------------------------
def test_cli_export_and_import(tws, tmp_path, capsys):
    ws, runs = tws
    out = tmp_path / "out"
    assert main(["export", str(ws.root), "--run", runs["sft"], "--format", "hf", str(out), "--json"]) == 0
    r = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert r["path"] == str(out) and "model.safetensors" in r["files"]
    assert main(["import", str(ws.root), str(out), "--json"]) == 0
    r = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert r["run"].startswith("import-")
    assert main(["import", str(ws.root), str(out)]) == 0
    assert "--from import-" in capsys.readouterr().out

    (out / "config.json").write_text("{")
    assert main(["import", str(ws.root), str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and str(out / "config.json") in err and "\n" not in err
    assert main(["export", str(ws.root), "--run", "nope", "--format", "hf", str(tmp_path / "x")]) == 2
