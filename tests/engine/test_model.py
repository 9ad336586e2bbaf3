"""The Transformer: shapes, causality, KV cache, tied weights, mixture of experts, losses."""

import math

import pytest
import torch

from engine.generate import SamplingConfig, next_token_distribution, stream
from engine.losses import IGNORE_INDEX, lm_loss, load_balancing_loss
from engine.model import GPT, GPTConfig, n_layers


def make(n_experts=0, **kw):
    torch.manual_seed(0)
    cfg = GPTConfig(vocab_size=97, block_size=32, n_layer=2, n_head=2, n_embd=32, n_experts=n_experts, **kw)
    return GPT(cfg).eval()


@pytest.mark.parametrize("n_experts", [0, 4])
def test_shapes(n_experts):
    m = make(n_experts)
    logits, aux = m(torch.randint(0, 97, (3, 17)))
    assert logits.shape == (3, 17, 97)
    assert aux.shape == ()
    if n_experts:
        assert aux.item() > 0
    else:
        assert aux.item() == 0


@pytest.mark.parametrize("n_experts", [0, 4])
def test_causal_mask(n_experts):
    m = make(n_experts)
    x = torch.randint(0, 97, (1, 20))
    y = x.clone()
    y[0, 12:] = (y[0, 12:] + 1) % 97  # change only the future
    a, _ = m(x)
    b, _ = m(y)
    torch.testing.assert_close(a[:, :12], b[:, :12])
    assert not torch.allclose(a[:, 12:], b[:, 12:])


@pytest.mark.parametrize("n_experts", [0, 4])
def test_kv_cache_equals_full_forward(n_experts):
    m = make(n_experts)
    x = torch.randint(0, 97, (2, 24))
    full, _ = m(x)
    cache = m.new_cache(2)
    parts = [m(x[:, :9], cache)[0], m(x[:, 9:15], cache)[0]]  # prefill, then a chunk after a prefix
    parts += [m(x[:, i : i + 1], cache)[0] for i in range(15, 24)]  # one token at a time
    torch.testing.assert_close(torch.cat(parts, 1), full, atol=1e-5, rtol=1e-5)


def test_cached_generation_equals_uncached_greedy():
    m = make()
    prompt = [5, 6, 7, 8]
    got = [t for t, _ in stream(m, prompt, SamplingConfig(greedy=True, max_new_tokens=12))]
    ids = list(prompt)
    for _ in range(12):  # the slow way: the whole sequence through the model every time
        logits, _ = m(torch.tensor([ids]))
        ids.append(int(logits[0, -1].argmax()))
    assert got == ids[len(prompt) :]


def test_generation_past_the_context_window():
    m = make()
    out = list(stream(m, list(range(30)), SamplingConfig(greedy=True, max_new_tokens=40)))
    assert len(out) == 40  # the cache restarted instead of overflowing block_size=32


def test_too_long_sequence_is_refused():
    with pytest.raises(ValueError, match="block_size"):
        make()(torch.zeros(1, 33, dtype=torch.long))


def test_output_head_is_tied_to_embedding():
    m = make()
    assert m.lm_head.weight is m.tok_emb.weight
    assert m.num_params() == sum(p.numel() for p in set(m.parameters()))


def test_lm_loss_matches_formula_and_ignores_masked_positions():
    torch.manual_seed(1)
    logits = torch.randn(2, 5, 11)
    targets = torch.randint(0, 11, (2, 5))
    targets[0, :2] = -100
    logp = torch.log_softmax(logits, -1)
    keep = targets != -100
    manual = -logp[keep].gather(-1, targets[keep][:, None]).mean()
    torch.testing.assert_close(lm_loss(logits, targets), manual)


@pytest.mark.parametrize("amp", [False, True])
def test_fused_head_loss_equals_logits_then_cross_entropy(amp):
    """model(x, targets=y) (chunked head + loss, gradients made in the forward) gives the loss and
    the gradients of every weight that lm_loss(model(x)) gives, masked targets included."""
    torch.manual_seed(1)
    cfg = GPTConfig(vocab_size=3000, block_size=64, n_layer=2, n_head=2, n_embd=32)  # 3000 > one chunk's rows
    a, b = GPT(cfg), GPT(cfg)
    b.load_state_dict(a.state_dict())
    x = torch.randint(0, 3000, (3, 64))
    y = torch.randint(0, 3000, (3, 64))
    y[0, :10] = IGNORE_INDEX
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=amp):
        ref = lm_loss(a(x)[0], y)
        fused = b(x, targets=y)[0]
    ref.backward()
    (3 * fused).backward()  # the incoming gradient scales what the forward computed
    tol = dict(atol=2e-2, rtol=2e-2) if amp else dict(atol=1e-5, rtol=1e-4)
    torch.testing.assert_close(fused.detach(), ref.detach(), **tol)
    for (name, pa), pb in zip(a.named_parameters(), b.parameters()):
        torch.testing.assert_close(pb.grad, 3 * pa.grad, **tol, msg=name)
    y[:] = IGNORE_INDEX
    assert b(x, targets=y)[0].item() == 0.0  # nothing to learn from: 0, not NaN
    with torch.no_grad():
        assert b(x, targets=x)[0].item() == pytest.approx(lm_loss(b(x)[0], x).item(), rel=1e-5)


def test_activation_checkpointing_gives_the_same_gradients():
    a, b = make(), make()
    b.activation_checkpointing = True
    a.train(), b.train()
    x = torch.randint(0, 97, (2, 20))
    calls = {id(a): 0, id(b): 0}
    for m in (a, b):
        m.blocks[0].register_forward_pre_hook(lambda mod, args, key=id(m): calls.__setitem__(key, calls[key] + 1))
        m(x[:, :-1], targets=x[:, 1:])[0].backward()
    assert calls == {id(a): 1, id(b): 2}  # the block ran again in the backward pass
    for (name, pa), pb in zip(a.named_parameters(), b.parameters()):
        torch.testing.assert_close(pb.grad, pa.grad, msg=name)


def test_last_only_logits_are_the_last_position():
    m = make()
    x = torch.randint(0, 97, (1, 9))
    full, _ = m(x)
    for batch in (x, x.repeat(3, 1)):  # one row takes the matrix-vector path, three the matrix product
        last, _ = m(batch, m.new_cache(batch.size(0)), last_only=True)
        assert last.shape == (batch.size(0), 1, 97)
        torch.testing.assert_close(last[:1], full[:, -1:], atol=1e-5, rtol=1e-5)


def test_uniform_logits_give_ln_vocab():
    assert lm_loss(torch.zeros(1, 4, 50), torch.zeros(1, 4, dtype=torch.long)).item() == pytest.approx(math.log(50))


def test_load_balancing_loss_is_one_when_uniform_and_e_when_collapsed():
    E, N = 4, 64
    uniform = torch.full((N, E), 1 / E)
    chosen = torch.arange(N).remainder(E)[:, None]
    assert load_balancing_loss(uniform, chosen, E).item() == pytest.approx(1.0)
    collapsed = torch.zeros(N, E)
    collapsed[:, 0] = 1
    assert load_balancing_loss(collapsed, torch.zeros(N, 1, dtype=torch.long), E).item() == pytest.approx(E)


def test_moe_routes_tokens_to_several_experts_and_learns():
    m = make(4).train()
    opt = torch.optim.AdamW(m.parameters(), lr=3e-3)
    x = torch.randint(0, 97, (4, 16))
    first = None
    for _ in range(30):
        logits, aux = m(x[:, :-1])
        loss = lm_loss(logits, x[:, 1:]) + 0.01 * aux
        first = first if first is not None else loss.item()
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.item() < first * 0.7
    moe = m.blocks[0].ffn
    _, chosen = torch.softmax(moe.router(m.tok_emb(x).reshape(-1, 32)), -1).topk(2)
    assert chosen.unique().numel() >= 2


def test_sampling_filters():
    logits = torch.tensor([3.0, 2.0, 1.0, 0.0, -1.0])
    p = next_token_distribution(logits, SamplingConfig(temperature=1.0, top_k=2))
    assert (p[2:] == 0).all() and p[:2].sum().item() == pytest.approx(1.0)
    p = next_token_distribution(logits, SamplingConfig(temperature=1.0, top_k=0, top_p=0.5))
    assert p[0].item() == pytest.approx(1.0)  # the top token alone holds more than half the mass
    p = next_token_distribution(logits, SamplingConfig(greedy=True))
    assert p.tolist() == [1, 0, 0, 0, 0]
    seen = torch.tensor([0])
    p = next_token_distribution(logits, SamplingConfig(greedy=True, repetition_penalty=10.0), seen)
    assert int(p.argmax()) == 1  # the repeated token was pushed down


def test_a_one_layer_model_is_not_called_1_layers():
    assert (n_layers(1), n_layers(2)) == ("1 layer", "2 layers")
