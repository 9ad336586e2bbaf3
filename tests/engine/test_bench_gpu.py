"""`python -m bench gpu`, the one-run GPU check, on the CPU: `--device cpu --smallest` takes the same
code path in seconds. It runs once, in a subprocess that cannot import the app's or data cleaning's
packages (a bare GPU machine has torch, transformers, tokenizers, safetensors and matplotlib, not
these), on a workspace prepared beforehand, as on a GPU machine; the tests read its JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from bench import gpu_parts
from tests.conftest import TINY

ROOT = Path(__file__).resolve().parents[2]
BLOCKED = ("PySide6", "shiboken6", "pyqtgraph", "ftfy", "datasketch")

# a finder ahead of all others: importing a blocked package fails as if it were not installed
RUN = """
import importlib.abc, sys

BLOCKED = set(sys.argv[1].split(","))


class NotInstalled(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"{name} is not installed on a bare GPU machine")


sys.meta_path.insert(0, NotInstalled())
for name in BLOCKED:
    try:
        __import__(name)
    except ImportError:
        continue
    raise SystemExit(f"{name} was not blocked")
import bench.gpu, engine.train.dpo, engine.train.loop, engine.train.pretrain, engine.train.sft  # noqa: E401
from bench.__main__ import main

sys.exit(main(["gpu", "--device", "cpu", "--smallest", "--json", "--workspace", sys.argv[2]]))
"""


@pytest.fixture(scope="module")
def report(demo_ws_template):
    """The check's JSON; the prepared workspace (the tests' demo template) must come out unchanged."""
    runs_before = sorted((demo_ws_template / "runs").iterdir())
    proc = subprocess.run(
        [sys.executable, "-c", RUN, ",".join(BLOCKED), str(demo_ws_template)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert sorted((demo_ws_template / "runs").iterdir()) == runs_before  # it trained in a copy
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_runs_on_a_bare_machine_without_errors(report):
    assert report["errors"] == {}, report["errors"]
    assert report["skipped"].keys() == {"pretrain_small_compile", "pretrain_medium_compile", "oom"}
    assert all(reason.startswith("cpu") for reason in report["skipped"].values())
    assert report["oom_halving_seen"] is None and report["oom"] is None


def test_report_has_every_part_in_range(report):
    assert report["smallest"] is True and report["device"].startswith("cpu")
    assert report["dtype"] == "fp32" and report["peak"]["dtype"] == "float32"
    assert report["peak_tflops"] > 0
    for name, part in report["parts"].items():
        assert part["status"] in ("ok", "skipped"), name
        assert part["seconds"] >= 0 and (part["cap_s"] is None or part["seconds"] <= part["cap_s"]), name
    hf = report["transformers"] is not None
    for preset in ("small", "medium"):
        entry = report["presets"][preset]
        assert entry["shape"]["params"] > 0 and entry["compile"] is None
        eager = entry["eager"]
        assert eager["tokens_per_s"] > 0 and 0 < eager["mfu"] <= 1
        assert eager["timed_steps"] > 0 and eager["final_loss"] > 0
        if hf:
            assert entry["vs_hf"]["ratio"] > 0 and entry["vs_hf"]["hf_tokens_per_s"] > 0
        else:
            assert report["parts"][f"vs_hf_{preset}"]["reason"] == "transformers is not installed"
    gen = report["generation"]
    for batch in ("b1", "b8"):
        assert gen[batch]["ours_tokens_per_s"] > 0
        assert (gen[batch]["ratio"] > 0) if hf else gen[batch]["ratio"] is None
    assert report["sft_ok"] and report["dpo_ok"]
    assert report["sft"]["steps"] > 0 and report["dpo"]["steps"] > 0
    assert 0 < report["total_s"] < 120


def test_oom_part_reads_the_loops_halving(ws, monkeypatch, one_thread):
    """The OOM part needs CUDA; what it reads from the loop is checked here with a simulated one."""
    from engine.train import pretrain

    real = pretrain.PretrainTask.loss

    def loss(self, model, rows):
        if len(rows) > 2:
            raise torch.OutOfMemoryError("CUDA out of memory (simulated)")
        return real(self, model, rows)

    monkeypatch.setattr(pretrain.PretrainTask, "loss", loss)
    shape = {k: TINY[k] for k in ("n_layer", "n_head", "n_embd", "block_size")}
    out = gpu_parts.halving_run(ws, torch.device("cpu"), "fp32", {**shape, "batch_size": 8, "threads": 1}, 30)
    assert out == {"seen": True, "micro_batches": [8, 4, 2], "status": "done", "steps": 2}
    with pytest.raises(gpu_parts.Skip, match="cpu"):
        gpu_parts.oom_halving(ws, torch.device("cpu"), "fp32", 8, 1.0, 30)


def test_oom_part_names_the_gpu_by_index(monkeypatch):
    """`--device auto` resolves to a bare "cuda"; torch's memory-fraction call refuses a device with no
    index (the first run on an H200 failed so). With torch.cuda's calls stubbed, the part must hand
    every one of them an indexed device, and lift its cap again."""
    seen = []

    def check(name, result=None):
        def fn(*args):
            device = args[-1]
            assert isinstance(device, torch.device) and device.index == 3, f"{name} got {device!r}"
            seen.append((name, args[0] if name == "fraction" else None))
            return result

        return fn

    class Props:
        total_memory = 8 * 2**30

    monkeypatch.setattr(torch.cuda, "current_device", lambda: 3)
    monkeypatch.setattr(torch.cuda, "empty_cache", lambda: None)
    monkeypatch.setattr(torch.cuda, "get_device_properties", check("props", Props()))
    monkeypatch.setattr(torch.cuda, "memory_reserved", check("reserved", 0))
    monkeypatch.setattr(torch.cuda, "set_per_process_memory_fraction", check("fraction"))
    monkeypatch.setattr(gpu_parts, "halving_run", lambda ws, device, *a: {"seen": True, "device": str(device)})
    out = gpu_parts.oom_halving(None, torch.device("cuda"), "bf16", 128, 2.0, 45)
    assert out == {"seen": True, "device": "cuda:3", "limit_gb": 2.0}
    assert [s for s in seen if s[0] == "fraction"] == [("fraction", 0.25), ("fraction", 1.0)]
