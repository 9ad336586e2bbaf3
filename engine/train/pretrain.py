"""Stage 1, pretraining: next-token prediction on every token of the corpus.

    for event in pretrain.run(ws, cfg, control): ...

The stage builds the model and the data, then hands both to the shared loop.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import numpy as np
import torch

from engine import checkpoint as ckpt
from engine.config import MODEL_PRESETS, PretrainConfig, build_config
from engine.data.shards import BatchSampler, SamplerState, TokenData, eval_rows, read_meta
from engine.errors import DojoError
from engine.events import Control, Log, Progress
from engine.generate import SamplingConfig, generate
from engine.io.workspace import Workspace
from engine.model import GPT, GPTConfig
from engine.tokenizer import EOT, load_tokenizer, special_id, tokenizer_hash
from engine.train.estimate import check_fits, earlier_tokens_per_s, slow_run_warning
from engine.train.loop import OrderedRows, to_device
from engine.train.stage import open_stage

STAGE = "pretrain"


def model_config(cfg: PretrainConfig, vocab_size: int) -> GPTConfig:
    return GPTConfig(
        vocab_size=vocab_size,
        block_size=cfg.block_size,
        n_layer=cfg.n_layer,
        n_head=cfg.n_head,
        n_embd=cfg.n_embd,
        n_experts=cfg.n_experts,
        expert_top_k=cfg.expert_top_k,
        dropout=cfg.dropout,
    )


def make_config(toml: dict | None = None, sets: dict | None = None, toml_name: str = "config file") -> PretrainConfig:
    return build_config(PretrainConfig, toml, sets, MODEL_PRESETS, toml_name)


class PretrainTask(OrderedRows):
    """Fixed windows of the token shards; the loss is cross-entropy on every position."""

    def __init__(self, ws: Workspace, cfg: PretrainConfig, tok, device: torch.device):
        self.cfg, self.tok, self.device = cfg, tok, device
        self.train_data = TokenData(ws.tokens_dir, "train")
        self.val_data = TokenData(ws.tokens_dir, "val")
        self.sampler = BatchSampler(self.train_data, cfg.block_size, cfg.seed, shuffle_docs=cfg.shuffle_docs)
        self.val_rows = eval_rows(self.val_data, cfg.block_size, cfg.eval_batches * cfg.batch_size)
        self.val_sampler = BatchSampler(self.val_data, cfg.block_size, cfg.seed)
        self.tokens_per_row = cfg.block_size
        self.eot = special_id(tok, EOT)
        self.prompts = list(cfg.sample_prompts) or self._default_prompts()
        self.probes = self._memorisation_probes(ws, tok)
        self.mix = (
            PackedExamples.from_file(
                Path(cfg.mix_data) if cfg.mix_data else ws.data_dir / "sft" / "train.jsonl",
                tok,
                cfg.block_size,
                cfg.seed,
            )
            if cfg.mix_qa > 0
            else None
        )

    def _default_prompts(self, n: int = 2, length: int = 8) -> list[str]:
        """The first tokens of the first validation documents: text the model has never seen."""
        data = self.val_data if self.val_data.tokens else self.train_data
        flat = np.asarray(data.shards[0][:4096], dtype=np.int64)
        starts = [0] + [i + 1 for i in np.flatnonzero(flat == self.eot)[: n - 1]]
        return [self.tok.decode(flat[s : s + length].tolist()) for s in starts[:n]]

    @staticmethod
    def _memorisation_probes(ws: Workspace, tok, limit: int = 200):
        """On the demo world: probes of the facts in the trained biographies (engine/compare/knowledge.py)."""
        from engine.compare import knowledge

        bios = knowledge.demo_biographies(ws)
        return knowledge.memorisation_probes(tok, bios, limit=limit)[0] if bios else None

    def next_rows(self, n: int) -> np.ndarray:
        """Windows of the corpus, and with mix_qa that share of the rows from the packed examples."""
        k = min(n, round(n * self.cfg.mix_qa)) if self.mix else 0
        rows = self.sampler.next(n - k)
        return np.concatenate([rows, self.mix.take(k)]) if k else rows

    def _tensors(self, sampler: BatchSampler, rows):
        if self.mix is not None and (rows[:, 0] < 0).any():
            seqs = np.stack([self.mix.window(int(s), int(o)) if s < 0 else sampler.window((s, o)) for s, o in rows])
            x, y = seqs[:, :-1], seqs[:, 1:]
        else:
            x, y = sampler.tensors(rows)
        return to_device(torch.from_numpy(x), self.device), to_device(torch.from_numpy(y), self.device)

    def loss(self, model, rows):
        x, y = self._tensors(self.sampler, rows)
        loss, aux = model(x, targets=y)
        return loss, (aux if self.cfg.n_experts else None)

    @torch.no_grad()
    def evaluate(self, model) -> dict[str, float]:
        model.eval()
        total, count = 0.0, 0
        for i in range(0, len(self.val_rows), self.cfg.batch_size):
            rows = self.val_rows[i : i + self.cfg.batch_size]
            x, y = self._tensors(self.val_sampler, rows)
            total += float(model(x, targets=y)[0]) * len(rows)
            count += len(rows)
        model.train()
        loss = total / count
        # Bits per byte: comparable across tokenizers, unlike loss per token.
        bpb = loss / np.log(2) / self.val_data.bytes_per_token
        out = {"val/loss": loss, "val/bpb": float(bpb)}
        if self.probes:  # the demo world: how many of its facts the model has memorised so far
            from engine.compare.knowledge import first_token_hits

            hits = first_token_hits(model, self.probes)
            out["val/memorised"] = sum(hits) / len(hits)
        return out

    @property
    def sample_count(self) -> int:
        return len(self.prompts)

    def samples(self, model, step: int) -> Iterator[tuple[str, str]]:
        for i, prompt in enumerate(self.prompts):
            gen = torch.Generator().manual_seed(self.cfg.seed * 1000 + step * 10 + i)
            sc = SamplingConfig(temperature=0.8, top_k=50, max_new_tokens=self.cfg.sample_tokens)
            yield (prompt, generate(model, self.tok, prompt, sc, {self.eot}, gen).text)

    def doc_ids(self, rows) -> list[str]:
        ids = self.sampler.doc_ids(rows[rows[:, 0] >= 0])
        return ids + [i for s, o in rows[rows[:, 0] < 0] for i in self.mix.ids_in(int(s), int(o))]

    @property
    def order(self):  # the windows' epoch order: OrderedRows saves and restores its position
        return self.sampler.order

    def data_state(self) -> dict:
        state = super().data_state()
        if self.mix is not None:
            state["mix"] = {"epoch": self.mix.state.epoch, "cursor": self.mix.state.cursor}
        return state

    def load_data_state(self, state: dict) -> None:
        super().load_data_state(state)
        if self.mix is not None and "mix" in state:
            self.mix.state = SamplerState(int(state["mix"]["epoch"]), int(state["mix"]["cursor"]))


class PackedExamples:
    """Instruction examples packed for mixing into pretraining ("mixed training"): each epoch puts
    the examples end to end in a fresh seeded order (each through the chat template, ending with
    the end-of-text token; a weighted example `weight` times) and cuts the stream into windows of
    block + 1 tokens. A row is (-1 - epoch, offset), apart from the corpus's (shard, offset) rows;
    the position is a SamplerState saved with the run, so a resumed run mixes the same rows."""

    def __init__(self, examples: list[list[int]], ids: list[str], block: int, seed: int):
        self.examples, self.ids, self.block, self.seed = examples, ids, block, seed
        self.state = SamplerState()
        self._streams: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        # repeat the set until an epoch fills at least one window
        self.repeat = max(1, -(-(block + 1) // max(1, sum(len(e) for e in examples))))

    @classmethod
    def from_file(cls, path: Path, tok, block: int, seed: int) -> "PackedExamples":
        from engine.data.sft_data import encode_example, load_sft_records

        if not path.exists():
            raise DojoError(f"mix_qa needs instruction data: no {path} (set mix_data to a file or folder)")
        examples, ids = [], []
        for r in load_sft_records(path):
            enc = encode_example(tok, r["messages"], "all")
            if enc is not None:
                examples += [enc.ids] * r.get("weight", 1)
                ids += [r["id"]] * r.get("weight", 1)
        if not examples:
            raise DojoError(f"mix_qa: no usable examples in {path}")
        return cls(examples, ids, block, seed)

    def _stream(self, epoch: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if epoch not in self._streams:
            order = np.random.default_rng([self.seed, epoch, 7]).permutation(len(self.examples) * self.repeat)
            parts = [self.examples[i % len(self.examples)] for i in order]
            starts = np.cumsum([0] + [len(p) for p in parts[:-1]])
            self._streams = {
                e: s for e, s in self._streams.items() if e >= epoch - 1
            }  # the epoch before, for rows in flight
            self._streams[epoch] = (np.fromiter((t for p in parts for t in p), dtype=np.int64), order, starts)
        return self._streams[epoch]

    def windows(self, epoch: int) -> int:
        return (len(self._stream(epoch)[0]) - 1) // self.block

    def take(self, k: int) -> np.ndarray:
        rows = []
        while len(rows) < k:
            if self.state.cursor >= self.windows(self.state.epoch):
                self.state = SamplerState(self.state.epoch + 1, 0)
            rows.append((-1 - self.state.epoch, self.state.cursor * self.block))
            self.state = SamplerState(self.state.epoch, self.state.cursor + 1)
        return np.asarray(rows, dtype=np.int64).reshape(-1, 2)

    def window(self, shard: int, offset: int) -> np.ndarray:
        return self._stream(-1 - shard)[0][offset : offset + self.block + 1]

    def ids_in(self, shard: int, offset: int) -> list[str]:
        """Ids of the examples a row overlaps (recorded when a batch is skipped)."""
        _, order, starts = self._stream(-1 - shard)
        first = max(0, int(np.searchsorted(starts, offset, side="right")) - 1)
        last = int(np.searchsorted(starts, offset + self.block, side="right"))
        return [f"mix:{self.ids[order[i] % len(self.examples)]}" for i in range(first, last)]


SLOW_CHECK_SECONDS = 20.0


def run(
    ws: Workspace,
    cfg: PretrainConfig | None = None,
    control: Control | None = None,
    resume: str | bool | None = None,
    overrides: dict | None = None,
) -> Iterator:
    """Pretrain; with `resume`, continue a run from its checkpoint (saved config + `overrides`)."""
    ws.require_writable("pretraining")
    tok = load_tokenizer(ws.tokenizer_path)
    if read_meta(ws.tokens_dir)["tokenizer_hash"] != tokenizer_hash(ws.tokenizer_path):
        raise DojoError("the token shards were made with another tokenizer; run: lmdojo-cli tokenize WS")
    # a run saved before shuffle_docs existed read fixed windows: it goes on reading them
    with open_stage(
        ws,
        STAGE,
        PretrainConfig,
        cfg or make_config(sets=overrides),
        resume,
        overrides,
        presets=MODEL_PRESETS,
        saved_defaults={"shuffle_docs": False},
    ) as st:
        cfg = st.cfg
        mcfg = model_config(cfg, tok.get_vocab_size())
        if st.resume_from is not None:
            ckpt.check_compatible(ckpt.read_meta(st.resume_from), mcfg.to_dict(), st.tokenizer_hash, st.resume_from)
        check_fits(
            mcfg, cfg.batch_size, st.device, f"n_layer={cfg.n_layer}, n_embd={cfg.n_embd}"
        )  # before any allocation
        task = PretrainTask(ws, cfg, tok, st.device)  # fails early on too little data, before the model exists
        torch.manual_seed(cfg.seed)
        earlier = earlier_tokens_per_s(st.store, STAGE, cfg, exclude=st.run_id) if st.store is not None else None
        warned = False
        for ev in st.train(GPT(mcfg), task, control):
            yield ev
            # judged once the speed has settled (the first steps warm caches and allocators)
            if isinstance(ev, Progress) and not warned and ev.elapsed_s >= SLOW_CHECK_SECONDS:
                warned = True
                message = slow_run_warning(ev.tokens_per_s, earlier, torch.get_num_threads())
                if message:
                    yield Log(message, "warning")
