"""Importing a Hugging Face Llama folder as a run (engine/io/hf_import.py): our own exports, foreign
and sharded folders, and every way a folder can be damaged or unsupported."""

from __future__ import annotations

import json
import shutil

import pytest
import torch
from safetensors.torch import load_file, save_file

from engine.errors import DojoError
from engine.io import hf_export as hf
from engine.io import hf_import
from engine.io.store import Store
from engine.io.workspace import Workspace
from engine.tokenizer import load_tokenizer
from tests.engine.hf_world import edit_config, our_model


def test_import_adopts_the_tokenizer_of_an_empty_workspace(tws, tmp_path):
    ws, runs = tws
    out = tmp_path / "out"
    hf.export_hf(ws, runs["sft"], out)
    fresh = Workspace.create(tmp_path / "fresh")
    r = hf_import.import_hf(fresh, out)
    assert r["tokenizer"] == "adopted"
    assert fresh.tokenizer_path.read_bytes() == ws.tokenizer_path.read_bytes()
    a, b = our_model(ws, runs["sft"]).state_dict(), our_model(fresh, r["run"]).state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert hf_import.import_hf(fresh, out)["tokenizer"] == "matches the workspace"  # twice: now it must match


def test_import_refuses_another_tokenizer(tws, tmp_path):
    from engine.tokenizer import SPECIAL_TOKENS, save_tokenizer, train_tokenizer

    ws, runs = tws
    out = tmp_path / "out"
    hf.export_hf(ws, runs["sft"], out)
    other = train_tokenizer(["another corpus entirely, 完全不同的語料。"] * 20, vocab_size=300)
    assert all(other.token_to_id(t) is not None for t in SPECIAL_TOKENS)
    save_tokenizer(other, out / "tokenizer.json")
    with pytest.raises(DojoError) as e:
        hf_import.import_hf(ws, out)
    assert str(out / "tokenizer.json") in str(e.value) and str(ws.tokenizer_path) in str(e.value)
    assert "\n" not in str(e.value)
    with Store(ws.db_path) as store:
        assert not store.runs("import")  # nothing half-made is left behind
    assert not list(ws.runs_dir.glob("import-*"))


def test_import_a_foreign_llama_folder(tws, tmp_path):
    """A small Llama written by transformers itself (its own config spelling: rope_parameters, dtype)."""
    transformers = pytest.importorskip("transformers")
    ws, _ = tws
    tok = load_tokenizer(ws.tokenizer_path)
    config = transformers.LlamaConfig(
        vocab_size=tok.get_vocab_size(),
        hidden_size=64,
        intermediate_size=160,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=4,
        max_position_embeddings=48,
        rms_norm_eps=1e-6,
        rope_theta=20000.0,
        tie_word_embeddings=True,
    )
    torch.manual_seed(0)
    theirs = transformers.LlamaForCausalLM(config).eval()
    folder = tmp_path / "foreign"
    theirs.save_pretrained(folder)
    shutil.copy(ws.tokenizer_path, folder / "tokenizer.json")
    r = hf_import.import_hf(ws, folder)
    ours = our_model(ws, r["run"])
    assert (ours.cfg.mlp_hidden, ours.cfg.block_size, ours.cfg.rope_theta) == (160, 48, 20000.0)
    x = torch.randint(0, tok.get_vocab_size(), (2, 48), generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        assert (theirs(x).logits - ours(x)[0]).abs().max().item() <= 1e-4


def test_import_a_sharded_folder(tws, tmp_path):
    ws, runs = tws
    out = tmp_path / "out"
    hf.export_hf(ws, runs["sft"], out)
    tensors = load_file(str(out / "model.safetensors"))
    names = sorted(tensors)
    shards = {
        "model-00001-of-00002.safetensors": names[: len(names) // 2],
        "model-00002-of-00002.safetensors": names[len(names) // 2 :],
    }
    for file, keys in shards.items():
        save_file({k: tensors[k] for k in keys}, str(out / file), metadata={"format": "pt"})
    (out / "model.safetensors").unlink()
    (out / "model.safetensors.index.json").write_text(
        json.dumps({"metadata": {}, "weight_map": {k: file for file, keys in shards.items() for k in keys}})
    )
    r = hf_import.import_hf(ws, out)
    a, b = our_model(ws, runs["sft"]).state_dict(), our_model(ws, r["run"]).state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_import_an_untied_folder_whose_head_is_the_embedding(tws, tmp_path):
    ws, runs = tws
    out = tmp_path / "out"
    hf.export_hf(ws, runs["sft"], out)
    tensors = load_file(str(out / "model.safetensors"))
    tensors["lm_head.weight"] = tensors["model.embed_tokens.weight"].clone()
    save_file(tensors, str(out / "model.safetensors"), metadata={"format": "pt"})
    edit_config(out, tie_word_embeddings=False)
    r = hf_import.import_hf(ws, out)
    a, b = our_model(ws, runs["sft"]).state_dict(), our_model(ws, r["run"]).state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)

    tensors["lm_head.weight"] = tensors["lm_head.weight"] + 0.01  # a head of its own: refused
    save_file(tensors, str(out / "model.safetensors"), metadata={"format": "pt"})
    with pytest.raises(DojoError, match="untied output head"):
        hf_import.import_hf(ws, out)


# -- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize("damage", ["truncated", "header", "garbage"])
def test_import_refuses_damaged_weights(tws, tmp_path, damage):
    ws, runs = tws
    out = tmp_path / "out"
    hf.export_hf(ws, runs["sft"], out)
    path = out / "model.safetensors"
    data = path.read_bytes()
    if damage == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "header":  # the 8-byte header length and the JSON header itself
        path.write_bytes(b"\xff" * 64 + data[64:])
    else:
        path.write_bytes(b"not a safetensors file")
    with pytest.raises(DojoError) as e:
        hf_import.import_hf(ws, out)
    assert str(path) in str(e.value) and "\n" not in str(e.value)


@pytest.mark.parametrize("damage", ["truncated", "missing"])
def test_import_refuses_a_damaged_config(tws, tmp_path, damage):
    ws, runs = tws
    out = tmp_path / "out"
    hf.export_hf(ws, runs["sft"], out)
    path = out / "config.json"
    if damage == "truncated":
        path.write_text(path.read_text()[:100])
    else:
        path.unlink()
    with pytest.raises(DojoError) as e:
        hf_import.import_hf(ws, out)
    assert str(path) in str(e.value) and "\n" not in str(e.value)


@pytest.mark.parametrize(
    "changes, feature",
    [
        ({"num_key_value_heads": 1}, "grouped-query attention"),
        ({"attention_bias": True}, "attention_bias"),
        ({"mlp_bias": True}, "mlp_bias"),
        ({"rope_scaling": {"rope_type": "linear", "factor": 2.0}}, "rope scaling 'linear'"),
        ({"rope_parameters": {"rope_type": "yarn", "rope_theta": 10000.0, "factor": 4.0}}, "rope scaling 'yarn'"),
        ({"rms_norm_eps": 1e-5}, "rms_norm_eps"),
        ({"hidden_act": "gelu"}, "hidden_act 'gelu'"),
        ({"model_type": "mistral"}, "model_type 'mistral'"),
        ({"head_dim": 8}, "head_dim"),
        ({"hidden_size": 48, "head_dim": None, "lmdojo": None}, "does not hold a Llama of the size"),
        ({"num_hidden_layers": 3, "lmdojo": None}, "missing model.layers.2"),
    ],
)
def test_import_refuses_unsupported_features(tws, tmp_path, changes, feature):
    ws, runs = tws
    out = tmp_path / "out"
    hf.export_hf(ws, runs["sft"], out)
    edit_config(out, **changes)
    with pytest.raises(DojoError, match=feature) as e:
        hf_import.import_hf(ws, out)
    assert "\n" not in str(e.value)


def test_import_refuses_pickle_weights(ws, tmp_path):
    folder = tmp_path / "pickled"
    folder.mkdir()
    (folder / "config.json").write_text(
        json.dumps(
            {
                "model_type": "llama",
                "hidden_size": 32,
                "num_attention_heads": 2,
                "num_hidden_layers": 1,
                "intermediate_size": 96,
                "vocab_size": 512,
                "rms_norm_eps": 1e-6,
            }
        )
    )
    (folder / "pytorch_model.bin").write_bytes(b"\x80\x04")  # never opened
    with pytest.raises(DojoError, match="safetensors only"):
        hf_import.import_hf(ws, folder)


# -- LoRA -> PEFT -----------------------------------------------------------------------------
