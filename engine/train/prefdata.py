"""Preference pairs for the reward model and DPO: where they come from, how they are encoded,
split and batched. Shared by engine/train/reward.py and engine/train/dpo.py.

A pair is one prompt (a chat conversation ending with a user turn) and two answers, the chosen
and the rejected one. Each answer is encoded as the whole conversation through the chat template
with only the answer's tokens (and its <|end|>) labelled, so log π(answer | prompt) is the sum of
the labelled tokens' log-probabilities, and a reward model reads the answer's last token.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from engine.data.sft_data import encode_example
from engine.data.shards import hash_below
from engine.errors import DojoError
from engine.io.workspace import Workspace
from engine.losses import IGNORE_INDEX
from engine.train import dist
from engine.train.loop import OrderedRows


def load_pairs(ws: Workspace, source: str = "") -> list[dict]:
    """Pairs from the workspace's preference store (source ""; the demo's pairs are imported
    into an empty store first), or from a JSONL file in the prompt/chosen/rejected convention.
    Under torchrun rank 0 reads them (and imports, once) and sends them to the others."""
    return dist.on_main(lambda: _load_pairs(ws, source))


def _load_pairs(ws: Workspace, source: str) -> list[dict]:
    from engine.rlhf.prefs import PrefStore

    if source:
        path = Path(source)
        with PrefStore(":memory:") as mem:
            mem.import_jsonl(path, strict=True)
            pairs = mem.pairs()
    else:
        with PrefStore(ws.db_path) as store:
            if store.counts()["pairs"] == 0 and (ws.data_dir / "prefs" / "train.jsonl").is_file():
                store.import_demo(ws)
            pairs = store.pairs()
    if not pairs:
        raise DojoError(
            f"no preference pairs in {source or ws.db_path}: rank some answers, or import a "
            "JSONL file of prompt/chosen/rejected (lmdojo-cli prefs WS import FILE)"
        )
    return pairs


def _prompt_messages(pair: dict) -> list[dict]:
    return pair.get("messages") or [{"role": "user", "content": pair["prompt"]}]


def held_out(pair: dict, seed: int, val_fraction: float) -> bool:
    """Whether a run with this seed and val_fraction holds the pair out (PairData's split)."""
    return hash_below(f"{seed}:{pair['prompt']}\x00{pair['chosen']}\x00{pair['rejected']}", val_fraction)


@dataclass
class EncodedAnswer:
    ids: list[int]
    labels: list[int]  # the answer's tokens; IGNORE_INDEX on the prompt

    @property
    def last(self) -> int:
        """Index of the answer's last labelled token (its <|end|>, unless truncated)."""
        return max(i for i, x in enumerate(self.labels) if x != IGNORE_INDEX)


MIN_ANSWER_TOKENS = 8  # a pair whose prompt leaves less room than this for its answers is skipped


def encode_answer(tok, prompt: list[dict], answer: str, max_len: int) -> EncodedAnswer | None:
    """The conversation with `answer` as the final assistant turn; only that turn is labelled. An
    answer too long for max_len is cut (keeping its start, as TRL does); None when the prompt
    leaves fewer than MIN_ANSWER_TOKENS for it."""
    enc = encode_example(tok, prompt + [{"role": "assistant", "content": answer}], "assistant")
    # the prompt's tokens, its trailing <|endoftext|> standing in for the answer's <|assistant|>
    prompt_len = len(encode_example(tok, prompt, "all").ids)
    if enc is None or max_len - prompt_len < MIN_ANSWER_TOKENS:
        return None
    ids = enc.ids[:max_len]
    labels = ([IGNORE_INDEX] * prompt_len + enc.labels[prompt_len:])[:max_len]
    return EncodedAnswer(ids, labels)


class PairData:
    """Encoded pairs, split into train / held-out by a hash of their text (stable across runs)."""

    def __init__(self, tok, pairs: list[dict], max_len: int, val_fraction: float, seed: int):
        self.train: list[tuple[dict, EncodedAnswer, EncodedAnswer]] = []
        self.val: list[tuple[dict, EncodedAnswer, EncodedAnswer]] = []
        self.skipped = 0
        for p in pairs:
            prompt = _prompt_messages(p)
            c = encode_answer(tok, prompt, p["chosen"], max_len)
            r = encode_answer(tok, prompt, p["rejected"], max_len)
            if c is None or r is None:
                self.skipped += 1
                continue
            (self.val if held_out(p, seed, val_fraction) else self.train).append((p, c, r))
        if not self.train and self.val:
            raise DojoError(
                f"all {len(self.val)} usable preference pair(s) fall in the held-out share (val_fraction "
                f"{val_fraction}): nothing is left to train on; add pairs or lower val_fraction"
            )
        if not self.train:
            raise DojoError(
                f"no usable preference pairs: {self.skipped} of {len(pairs)} leave too little room in the "
                "model's context for their answers"
            )
        # Nothing held out (few pairs, or val_fraction 0): held-out numbers are missing, never made
        # up from training pairs; `note` says why.
        self.note = (
            None
            if self.val
            else (
                f"no pair is held out ({len(self.train)} pairs, val_fraction {val_fraction}): "
                "held-out accuracy is not measured; add pairs or raise val_fraction"
            )
        )
        self.tokens_per_row = int(np.mean([len(c.ids) + len(r.ids) for _, c, r in self.train]))


def pad_batch(answers: list[EncodedAnswer], pad: int, device) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Inputs (B, T), shifted labels (B, T) for log-probs, and each answer's last-token index (B,)."""
    T = max(len(a.ids) for a in answers)
    x = torch.full((len(answers), T), pad, dtype=torch.long)
    y = torch.full((len(answers), T), IGNORE_INDEX, dtype=torch.long)
    last = torch.zeros(len(answers), dtype=torch.long)
    for i, a in enumerate(answers):
        x[i, : len(a.ids)] = torch.tensor(a.ids)
        y[i, : len(a.ids) - 1] = torch.tensor(a.labels[1:])  # position t predicts token t + 1
        last[i] = a.last
    return x.to(device), y.to(device), last.to(device)


class PairTask(OrderedRows):
    """What the pair-trained stages (reward model, DPO) share: rows are indices of `self.data.train`."""

    data: PairData

    def samples(self, model, step: int) -> list[tuple[str, str]]:
        return []  # nothing is generated while training on fixed pairs

    def doc_ids(self, rows) -> list[str]:
        return [str(self.data.train[int(i)][0].get("id", "")) for i in rows]
