"""The preference losses against their papers' formulas, on hand-computed cases."""

import math

import pytest
import torch

from engine.losses import (
    IGNORE_INDEX,
    bradley_terry_loss,
    dpo_loss,
    gae,
    group_advantages,
    grpo_loss,
    kto_loss,
    masked_whiten,
    ppo_policy_loss,
    ppo_value_loss,
    sequence_logprobs,
    token_logprobs,
    uniform_groups,
)


def sig(x):
    return 1 / (1 + math.exp(-x))


def test_sequence_logprobs_sums_the_unmasked_targets():
    logits = torch.log(torch.tensor([[[0.5, 0.25, 0.25], [0.1, 0.8, 0.1], [0.2, 0.2, 0.6]]]))
    targets = torch.tensor([[0, 1, IGNORE_INDEX]])
    assert sequence_logprobs(logits, targets).item() == pytest.approx(math.log(0.5) + math.log(0.8))
    assert token_logprobs(logits, torch.tensor([[1, 1, 2]]))[0].tolist() == pytest.approx(
        [math.log(0.25), math.log(0.8), math.log(0.6)]
    )


def test_bradley_terry_loss():
    loss = bradley_terry_loss(torch.tensor([2.0, 0.0]), torch.tensor([1.0, 1.0]))
    assert loss.item() == pytest.approx((-math.log(sig(1.0)) - math.log(sig(-1.0))) / 2)


def test_dpo_loss_is_the_published_formula():
    pc, pr, rc, rr, beta = [-3.0, -10.0], [-5.0, -9.0], [-4.0, -10.0], [-4.5, -8.0], 0.1
    loss, chosen_r, rejected_r = dpo_loss(*(torch.tensor(v) for v in (pc, pr, rc, rr)), beta)
    want = [-math.log(sig(beta * ((pc[i] - rc[i]) - (pr[i] - rr[i])))) for i in range(2)]
    assert loss.item() == pytest.approx(sum(want) / 2)
    assert chosen_r.tolist() == pytest.approx([beta * (pc[i] - rc[i]) for i in range(2)])
    assert rejected_r.tolist() == pytest.approx([beta * (pr[i] - rr[i]) for i in range(2)])
    # policy == reference: log 2, whatever beta
    same = torch.tensor([-2.0])
    assert dpo_loss(same, same, same, same, 5.0)[0].item() == pytest.approx(math.log(2))


def test_dpo_gradient_raises_chosen_and_lowers_rejected():
    pc, pr = torch.tensor([-3.0], requires_grad=True), torch.tensor([-3.0], requires_grad=True)
    loss, _, _ = dpo_loss(pc, pr, torch.tensor([-3.0]), torch.tensor([-3.0]), 0.5)
    loss.backward()
    assert pc.grad.item() < 0 < pr.grad.item()  # descending the loss raises chosen, lowers rejected


def test_kto_loss():
    policy, ref = torch.tensor([-2.0, -2.0]), torch.tensor([-3.0, -1.0])
    desirable, z0, beta = torch.tensor([True, False]), torch.tensor(0.5), 0.2
    want = ((1 - sig(beta * (1.0 - 0.5))) + (1 - sig(beta * (0.5 - -1.0)))) / 2
    assert kto_loss(policy, ref, desirable, z0, beta).item() == pytest.approx(want)
    # the reference point is clamped at zero
    want0 = ((1 - sig(beta * 1.0)) + (1 - sig(beta * 1.0))) / 2
    assert kto_loss(policy, ref, desirable, torch.tensor(-3.0), beta).item() == pytest.approx(want0)


def test_group_advantages_standardise_within_each_group():
    adv = group_advantages(torch.tensor([[1.0, 0.0, 0.0, 1.0], [0.5, 0.5, 0.5, 0.5]]))
    assert adv[0].tolist() == pytest.approx([1, -1, -1, 1], abs=1e-3)
    assert adv[1].tolist() == [0, 0, 0, 0]  # all equal: nothing to learn


def test_grpo_loss_by_hand():
    logps = torch.tensor([[-1.0, -2.0], [-0.5, -0.7]])
    old = torch.tensor([[-1.2, -2.0], [-0.5, -0.2]])
    ref = torch.tensor([[-1.0, -1.5], [-0.6, -0.7]])
    adv = torch.tensor([1.0, -2.0])
    mask = torch.tensor([[1, 1], [1, 0]])
    eps, beta = 0.2, 0.1

    def term(lp, o, r, a):
        ratio = math.exp(lp - o)
        surrogate = min(ratio * a, max(min(ratio, 1 + eps), 1 - eps) * a)
        kl = math.exp(r - lp) - (r - lp) - 1
        return surrogate - beta * kl, kl

    t = [
        [term(logps[i, j].item(), old[i, j].item(), ref[i, j].item(), adv[i].item()) for j in range(2)]
        for i in range(2)
    ]
    want = -((t[0][0][0] + t[0][1][0]) / 2 + t[1][0][0]) / 2
    loss, kl = grpo_loss(logps, old, ref, adv, mask, eps, beta)
    assert loss.item() == pytest.approx(want)
    assert kl.item() == pytest.approx((t[0][0][1] + t[0][1][1] + t[1][0][1]) / 3)
    # on-policy (ratio 1) and at the reference: the loss is −mean advantage
    z = torch.zeros(2, 2)
    assert grpo_loss(z, z, z, adv, torch.ones(2, 2), eps, beta)[0].item() == pytest.approx(-adv.mean().item())


def test_dr_grpo_advantages_are_reward_minus_the_group_mean():
    r = torch.tensor([[1.0, 0.0, 0.0, 1.0], [2.0, 0.0, 0.0, 0.0], [0.5, 0.5, 0.5, 0.5]])
    adv = group_advantages(r, scale=False)
    assert adv[0].tolist() == pytest.approx([0.5, -0.5, -0.5, 0.5])
    assert adv[1].tolist() == pytest.approx([1.5, -0.5, -0.5, -0.5])  # not divided by the std (0.866)
    assert adv[2].tolist() == [0, 0, 0, 0]
    assert uniform_groups(r).tolist() == [False, False, True]


def test_dr_grpo_loss_sums_tokens_over_a_fixed_length():
    logps = torch.zeros(2, 4)  # on-policy, at the reference: each token's term is its answer's advantage
    adv = torch.tensor([1.0, 1.0])
    mask = torch.tensor([[1, 1, 1, 1], [1, 0, 0, 0]])
    per_answer_mean = grpo_loss(logps, logps, logps, adv, mask)[0].item()
    fixed = grpo_loss(logps, logps, logps, adv, mask, norm_tokens=4)[0].item()
    assert per_answer_mean == pytest.approx(-1.0)  # GRPO: each answer's mean over its own tokens
    assert fixed == pytest.approx(-(4 / 4 + 1 / 4) / 2)  # Dr. GRPO: the long answer counts for its length


def test_a_group_whose_answers_all_scored_the_same_gives_no_policy_gradient():
    rewards = torch.tensor([[1.0, 0.0], [2.0, 2.0]])  # group 2: no variance
    logps = torch.tensor([[-1.0, -2.0], [-0.5, -0.7], [-1.5, -0.1], [-0.3, -0.9]], requires_grad=True)
    mask = torch.ones(4, 2)
    for scale in (True, False):
        adv = group_advantages(rewards, scale=scale).reshape(-1)
        loss, _ = grpo_loss(logps, logps.detach(), logps.detach(), adv, mask, beta=0.0)
        (grad,) = torch.autograd.grad(loss, logps)
        assert grad[2:].abs().sum() == 0 and grad[:2].abs().sum() > 0


def test_gae_by_hand():
    """One answer of three tokens after a prompt token, and padding: γ = 0.9, λ = 0.5."""
    rewards = torch.tensor([[0.0, 0.1, 0.2, 1.0, 0.0]])
    values = torch.tensor([[9.0, 0.5, 0.4, 0.3, 9.0]])  # outside the answer the values must not count
    mask = torch.tensor([[0, 1, 1, 1, 0]])
    g, lam = 0.9, 0.5
    d3 = 1.0 - 0.3  # the last token: nothing after it
    d2 = 0.2 + g * 0.3 - 0.4
    d1 = 0.1 + g * 0.4 - 0.5
    a3, a2 = d3, d2 + g * lam * d3
    a1 = d1 + g * lam * a2
    adv, ret = gae(rewards, values, mask, gamma=g, lam=lam)
    assert adv[0].tolist() == pytest.approx([0, a1, a2, a3, 0])
    assert ret[0].tolist() == pytest.approx([0, a1 + 0.5, a2 + 0.4, a3 + 0.3, 0])
    # λ = 1, γ = 1: the advantage is the sum of the rewards still to come minus the value
    adv, ret = gae(rewards, values, mask, gamma=1.0, lam=1.0)
    assert adv[0, 1:4].tolist() == pytest.approx([1.3 - 0.5, 1.2 - 0.4, 1.0 - 0.3])
    assert ret[0, 1:4].tolist() == pytest.approx([1.3, 1.2, 1.0])
    # λ = 0: one-step temporal differences
    adv, _ = gae(rewards, values, mask, gamma=1.0, lam=0.0)
    assert adv[0, 1:4].tolist() == pytest.approx([0.1 + 0.4 - 0.5, 0.2 + 0.3 - 0.4, 0.7])


def test_gae_keeps_rows_apart():
    rewards = torch.tensor([[0.0, 0.0, 2.0], [0.0, 1.0, 0.0]])
    mask = torch.tensor([[1, 1, 1], [1, 1, 0]])
    adv, _ = gae(rewards, torch.zeros(2, 3), mask, gamma=1.0, lam=1.0)
    assert adv.flatten().tolist() == pytest.approx([2, 2, 2, 1, 1, 0])


def test_masked_whiten_ignores_the_padding():
    x = torch.tensor([[1.0, 3.0, 100.0]])
    w = masked_whiten(x, torch.tensor([[1, 1, 0]]))
    assert w[0].tolist() == pytest.approx([-1, 1, 0], abs=1e-4)


def test_ppo_policy_loss_clips_the_ratio():
    old = torch.zeros(1, 3)
    logps = torch.log(torch.tensor([[1.5, 0.9, 1.1]]))  # ratios 1.5, 0.9, 1.1
    adv = torch.tensor([[1.0, -1.0, 2.0]])
    mask = torch.ones(1, 3)
    loss, clipped = ppo_policy_loss(logps, old, adv, mask, clip_eps=0.2)
    # min(1.5·1, 1.2·1) = 1.2; min(0.9·−1, 0.9·−1) = −0.9; min(1.1·2, 1.1·2) = 2.2
    assert loss.item() == pytest.approx(-(1.2 - 0.9 + 2.2) / 3)
    assert clipped.item() == pytest.approx(1 / 3)
    # a clipped token gives no gradient; the others do
    lp = logps.clone().requires_grad_(True)
    ppo_policy_loss(lp, old, adv, mask, 0.2)[0].backward()
    assert lp.grad[0, 0] == 0 and lp.grad[0, 1] != 0 and lp.grad[0, 2] != 0


def test_ppo_value_loss_takes_the_worse_of_clipped_and_unclipped():
    old = torch.tensor([[0.0, 0.0]])
    values = torch.tensor([[1.0, 0.1]])
    returns = torch.tensor([[1.0, 1.0]])
    # token 1: unclipped error 0, clipped value 0.2 → error 0.64: the worse counts; token 2: both 0.81
    loss = ppo_value_loss(values, old, returns, torch.ones(1, 2), clip=0.2)
    assert loss.item() == pytest.approx(0.5 * (0.64 + 0.81) / 2)
