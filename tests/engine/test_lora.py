"""LoRA adapters: exact at init, only A/B train, merge, adapter files, strict loading."""

import copy
import json

import pytest
import torch

from engine.checkpoint import load_weights, weights_for_saving
from engine.errors import CheckpointError
from engine.lora import (
    LoRAConfig,
    LoRALinear,
    apply_lora,
    load_adapter,
    load_lora_state_dict,
    lora_state_dict,
    merge_lora,
    save_adapter,
    trainable_parameters,
)
from engine.model import GPT, GPTConfig

pytestmark = pytest.mark.usefixtures("one_thread")

ALL = ("qkv", "proj", "gate_up", "down")


def config(**kw) -> GPTConfig:
    return GPTConfig(**{"vocab_size": 97, "block_size": 32, "n_layer": 2, "n_head": 2, "n_embd": 32, **kw})


def base(seed=0, **kw) -> GPT:
    torch.manual_seed(seed)
    return GPT(config(**kw)).eval()


def batch(seed=1):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, 97, (4, 16), generator=g)


def train_a_bit(model, steps=5):
    model.train()
    opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-2)
    x = batch(2)
    for _ in range(steps):
        logits, aux = model(x[:, :-1])
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, 97), x[:, 1:].reshape(-1)) + 0.01 * aux
        opt.zero_grad()
        loss.backward()
        opt.step()
    return model.eval()


CASES = [({}, ("qkv", "proj")), ({"n_experts": 2}, ALL), ({}, ALL)]


@pytest.mark.parametrize("kw,targets", CASES)
def test_identical_to_base_at_init(kw, targets):
    plain = base(**kw)
    model = copy.deepcopy(plain)
    names = apply_lora(model, LoRAConfig(rank=4, targets=targets))
    assert names and all(n.rsplit(".", 1)[-1] in targets for n in names)
    x = batch()
    with torch.no_grad():
        assert torch.equal(model(x)[0], plain(x)[0])


@pytest.mark.parametrize("kw,targets", CASES)
def test_only_lora_parameters_train(kw, targets):
    model = base(**kw)
    cfg = LoRAConfig(rank=4, targets=targets)
    names = apply_lora(model, cfg)
    expected = sum(cfg.rank * (m.in_features + m.out_features) for m in (model.get_submodule(n) for n in names))
    assert trainable_parameters(model) == expected
    trainable = {n for n, p in model.named_parameters() if p.requires_grad}
    assert trainable and all(n.endswith((".lora_A", ".lora_B")) for n in trainable)
    assert not model.tok_emb.weight.requires_grad and not model.lm_head.weight.requires_grad
    n_layers = {"qkv": 1, "proj": 1, "gate_up": max(1, kw.get("n_experts", 0)), "down": max(1, kw.get("n_experts", 0))}
    assert len(names) == 2 * sum(n_layers[t] for t in targets)
    sd = lora_state_dict(model)
    assert set(sd) == {f"{n}.{s}" for n in names for s in ("lora_A", "lora_B")}
    assert "blocks.0.attn.qkv.lora_A" in sd
    assert sd["blocks.0.attn.qkv.lora_A"].shape == (4, 32) and sd["blocks.0.attn.qkv.lora_B"].shape == (96, 4)


@pytest.mark.parametrize("kw,targets", CASES)
def test_train_then_merge(kw, targets):
    model = base(**kw)
    frozen = {k: v.clone() for k, v in model.state_dict().items()}
    apply_lora(model, LoRAConfig(rank=4, alpha=8.0, targets=targets))
    x = batch()
    with torch.no_grad():
        before = model(x)[0]
    train_a_bit(model)
    with torch.no_grad():
        after = model(x)[0]
    assert not torch.allclose(before, after)
    # the base weights did not move: the state dict of the wrapped model holds them under ".base."
    now = {k.replace(".base.", "."): v for k, v in model.state_dict().items() if "lora_" not in k}
    assert set(now) == set(frozen)
    for k, v in frozen.items():
        assert torch.equal(now[k], v), k

    merged = merge_lora(model)
    assert not any(isinstance(m, LoRALinear) for m in merged.modules())
    assert set(merged.state_dict()) == set(frozen)
    assert merged.lm_head.weight is merged.tok_emb.weight
    with torch.no_grad():
        torch.testing.assert_close(merged(x)[0], after, atol=1e-5, rtol=0)

    # a merged model is a normal GPT: it round-trips through engine.checkpoint's weight format
    weights, tied = weights_for_saving(merged)
    fresh = base(seed=9, **kw)
    load_weights(fresh, weights, tied)
    with torch.no_grad():
        torch.testing.assert_close(fresh(x)[0], after, atol=1e-5, rtol=0)


def test_merged_weight_matches_formula():
    model = base()
    apply_lora(model, LoRAConfig(rank=2, alpha=6.0, targets=("proj",)))
    layer = model.blocks[0].attn.proj
    with torch.no_grad():
        layer.lora_B.normal_()
    expected = layer.base.weight + 3.0 * layer.lora_B @ layer.lora_A
    torch.testing.assert_close(layer.merged_weight(), expected)
    x = torch.randn(5, 32)
    torch.testing.assert_close(layer(x), x @ expected.t(), atol=1e-5, rtol=1e-5)


def test_adapter_round_trip(tmp_path):
    cfg = LoRAConfig(rank=4, targets=ALL)
    model = base(n_experts=2)
    apply_lora(model, cfg)
    train_a_bit(model, steps=3)
    x = batch()
    with torch.no_grad():
        want = model(x)[0]
    path = tmp_path / "adapters" / "chat.safetensors"
    save_adapter(path, model, cfg, {"model_config": model.cfg.to_dict(), "tokenizer_hash": "abc123"})
    assert path.is_file() and not list(path.parent.glob("*.tmp"))

    tensors, cfg2, meta = load_adapter(path)
    assert cfg2 == cfg
    assert meta["base_tokenizer_hash"] == "abc123"
    assert meta["base_model_config"] == model.cfg.to_dict()
    fresh = base(n_experts=2)
    apply_lora(fresh, cfg2)
    load_lora_state_dict(fresh, tensors)
    with torch.no_grad():
        assert torch.equal(fresh(x)[0], want)


def test_adapter_metadata_falls_back_to_model_config(tmp_path):
    cfg = LoRAConfig(rank=2)
    model = base()
    apply_lora(model, cfg)
    save_adapter(tmp_path / "a.safetensors", model, cfg, {})
    _, _, meta = load_adapter(tmp_path / "a.safetensors")
    assert meta["base_model_config"] == model.cfg.to_dict()
    assert meta["base_tokenizer_hash"] is None


def saved_adapter(tmp_path, rank=4, **kw):
    cfg = LoRAConfig(rank=rank)
    model = base(**kw)
    apply_lora(model, cfg)
    path = tmp_path / f"r{rank}.safetensors"
    save_adapter(path, model, cfg, {})
    return path


def test_wrong_rank_is_rejected(tmp_path):
    tensors, _, _ = load_adapter(saved_adapter(tmp_path, rank=4))
    other = base()
    apply_lora(other, LoRAConfig(rank=8))
    with pytest.raises(CheckpointError, match=r"shape mismatch.*blocks\.0\.attn\.qkv\.lora_A.*\(4, 32\).*\(8, 32\)"):
        load_lora_state_dict(other, tensors)


def test_different_model_size_is_rejected(tmp_path):
    tensors, cfg, _ = load_adapter(saved_adapter(tmp_path))
    wider = base(n_embd=64)
    apply_lora(wider, cfg)
    with pytest.raises(CheckpointError, match="shape mismatch"):
        load_lora_state_dict(wider, tensors)
    deeper = base(n_layer=3)
    apply_lora(deeper, cfg)
    with pytest.raises(CheckpointError, match=r"missing \['blocks\.2\.attn"):
        load_lora_state_dict(deeper, tensors)
    other_targets = base()
    apply_lora(other_targets, LoRAConfig(rank=cfg.rank, targets=("qkv",)))
    with pytest.raises(CheckpointError, match=r"unexpected \['blocks\.0\.attn\.proj"):
        load_lora_state_dict(other_targets, tensors)
    with pytest.raises(CheckpointError, match="apply_lora"):
        load_lora_state_dict(base(), tensors)


def test_damaged_adapter_file(tmp_path):
    path = saved_adapter(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="damaged"):
        load_adapter(path)
    path.write_bytes(b"\x80\x04garbage that is not safetensors")
    with pytest.raises(CheckpointError, match="damaged"):
        load_adapter(path)
    with pytest.raises(CheckpointError, match="missing"):
        load_adapter(tmp_path / "nope.safetensors")


def test_adapter_rank_must_match_its_tensors(tmp_path):
    from safetensors.torch import save_file

    meta = {"format": "lmdojo-lora-1", "lora_config": json.dumps(LoRAConfig(rank=8).to_dict())}
    save_file({"blocks.0.attn.qkv.lora_A": torch.zeros(4, 32)}, str(tmp_path / "x.safetensors"), metadata=meta)
    with pytest.raises(CheckpointError, match="rank 8"):
        load_adapter(tmp_path / "x.safetensors")
    save_file({"a": torch.zeros(1)}, str(tmp_path / "y.safetensors"))
    with pytest.raises(CheckpointError, match="not a LoRA adapter"):
        load_adapter(tmp_path / "y.safetensors")


def test_no_target_match_lists_available_names():
    with pytest.raises(ValueError, match=r"available names: \[.*'gate_up'.*'qkv'.*\]") as e:
        apply_lora(base(), LoRAConfig(targets=("q_proj", "v_proj")))
    assert "lm_head" in str(e.value)
    with pytest.raises(ValueError, match="tied"):
        apply_lora(base(), LoRAConfig(targets=("lm_head",)))


def test_dropout_only_in_train_mode():
    model = base()
    apply_lora(model, LoRAConfig(rank=4, dropout=0.5))
    with torch.no_grad():
        for _, m in model.named_modules():
            if isinstance(m, LoRALinear):
                m.lora_B.normal_()
    x = batch()
    with torch.no_grad():
        model.eval()
        assert torch.equal(model(x)[0], model(x)[0])
        model.train()
        torch.manual_seed(0)
        a = model(x)[0]
        torch.manual_seed(1)
        b = model(x)[0]
    assert not torch.allclose(a, b)
