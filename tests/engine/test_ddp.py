"""torchrun: two CPU processes (gloo) train exactly what one process trains on the same global batch,
and only rank 0 writes (one run in the database, one run folder, checkpoints and the result once)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from engine import checkpoint as ckpt
from engine.io.store import Store
from engine.train import pretrain, sft
from tests.conftest import TINY, run_events, tiny_sets

ROOT = Path(__file__).resolve().parents[2]
STEPS = 4
QUIET = {"eval_every": 1000, "checkpoint_every": 1000, "sample_every": 0}  # one checkpoint, at the end


def torchrun(*args: str) -> dict:
    """`torchrun --nproc_per_node 2 -m engine.cli ARGS --json` on the CPU; the result rank 0 printed."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(ROOT), "CUDA_VISIBLE_DEVICES": ""}
    p = subprocess.run(
        [
            sys.executable,
            "-m",
            "torch.distributed.run",
            "--standalone",
            "--nproc_per_node",
            "2",
            "-m",
            "engine.cli",
            *args,
            "--device",
            "cpu",
            "--json",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode == 0, p.stderr[-3000:]
    results = [line for line in p.stdout.splitlines() if line.startswith("{")]
    assert len(results) == 1, p.stdout  # rank 1 printed nothing
    return json.loads(results[0])


def as_sets(sets: dict, **extra) -> list[str]:
    return [a for k, v in {**sets, **extra}.items() for a in ("--set", f"{k}={v}")]


def weights(result: dict) -> dict[str, torch.Tensor]:
    return load_file(str(Path(result["checkpoint"]) / "model.safetensors"))


def assert_same_training(a: dict, b: dict):
    """Equal up to the order in which floating-point sums are taken."""
    assert a["steps"] == b["steps"] == STEPS and a["tokens"] == b["tokens"]
    assert a["final_train_loss"] == pytest.approx(b["final_train_loss"], rel=1e-5)
    wa, wb = weights(a), weights(b)
    assert wa.keys() == wb.keys()
    for k in wa:
        torch.testing.assert_close(wa[k], wb[k], rtol=1e-4, atol=1e-5, msg=k)


def test_pretrain_on_two_ranks_matches_one_process_and_only_rank0_writes(ws, one_thread):
    two = torchrun("pretrain", str(ws.root), *tiny_sets(max_steps=STEPS, **QUIET))
    # only rank 0 wrote: one run, one folder, each step's metrics once, one checkpoint
    with Store(ws.db_path) as store:
        runs = store.runs()
        assert [r["id"] for r in runs] == [two["run"]] and runs[0]["status"] == "done"
        assert [s for s, _ in store.metrics(two["run"], "train/loss")] == list(range(1, STEPS + 1))
    assert [p.name for p in ws.runs_dir.iterdir()] == [two["run"]]
    assert [p.name for p in (ws.run_dir(two["run"]) / "checkpoints").iterdir()] == [f"step_{STEPS:06d}"]
    assert two["tokens"] == STEPS * TINY["batch_size"] * TINY["block_size"]  # both ranks' tokens

    # batch_size is global: one process with the same batch of 4 takes the same steps
    one = run_events(pretrain.run(ws, pretrain.make_config(sets={**TINY, **QUIET, "max_steps": STEPS})))[-1].result
    assert_same_training(two, one)
    # and a rank-0 checkpoint resumes like any other
    assert ckpt.read_meta(Path(two["checkpoint"]))["data"] == ckpt.read_meta(Path(one["checkpoint"]))["data"]


def test_sft_on_two_ranks_matches_one_process_with_accumulation(ws, one_thread):
    """Each rank averages the loss over its own examples' tokens, as an accumulation micro-batch
    does: two ranks with batch 4 are one process with batch 2 accumulated twice."""
    base = run_events(pretrain.run(ws, pretrain.make_config(sets={**TINY, "max_steps": 3, "block_size": 96})))
    sets = {"max_steps": STEPS, "threads": 1, "lr": 3e-3, "bucket": "false", **QUIET}
    two = torchrun("sft", str(ws.root), *as_sets(sets, batch_size=4))
    one = run_events(sft.run(ws, sft.make_config(sets={**sets, "batch_size": 2, "grad_accum": 2})))[-1].result
    assert_same_training(two, one)
    with Store(ws.db_path) as store:
        assert store.run(two["run"])["parent"] == base[-1].result["checkpoint"]
        assert len(store.runs("sft")) == 2


def test_dpo_on_two_ranks_matches_one_process(sft_ws, one_thread):
    """Rank 0 reads (and first imports) the preference pairs and sends them; DPO's loss is a mean
    over pairs, so two ranks with batch 4 are one process with batch 4."""
    from engine.train import dpo

    ws, _ = sft_ws
    sets = {"max_steps": STEPS, "threads": 1, "batch_size": 4, "lr": 1e-3, **QUIET}
    two = torchrun("dpo", str(ws.root), *as_sets(sets))
    one = run_events(dpo.run(ws, dpo.make_config(sets=sets)))[-1].result
    assert_same_training(two, one)
    assert two["train_pairs"] == one["train_pairs"] > 0
