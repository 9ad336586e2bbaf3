"""A checkpoint whose weights do not fit the model its config describes (issue 19, item 9): one line,
exit 2, for generate and sft --from; resume falls back to the checkpoint before it."""

from __future__ import annotations

import json

import torch
from safetensors.torch import load_file, save_file

from engine import checkpoint as ckpt
from engine.cli import main
from engine.events import Log
from engine.train import pretrain
from tests.conftest import TINY, run_events


def _wrong_shapes(folder):
    """Rewrite model.safetensors with one tensor a different (but self-consistent) shape."""
    path = folder / "model.safetensors"
    tensors = load_file(str(path))
    key = next(k for k in tensors if k.endswith("qkv.weight"))
    tensors[key] = torch.zeros(tensors[key].shape[0] // 2, tensors[key].shape[1])
    save_file(tensors, str(path), metadata={"format": "pt"})
    sizes = json.loads((folder / "COMPLETE").read_text())
    sizes["model.safetensors"] = path.stat().st_size
    (folder / "COMPLETE").write_text(json.dumps(sizes))
    return key


def test_wrong_shapes_are_one_line_and_resume_falls_back(ws, capsys):
    r = run_events(pretrain.run(ws, pretrain.make_config(sets={**TINY, "max_steps": "6", "checkpoint_every": "3"})))
    run = r[-1].result["run"]
    good, bad = ckpt.list_checkpoints(ws.run_dir(run) / "checkpoints")
    key = _wrong_shapes(bad)
    for argv in (
        ["generate", str(ws.root), "--run", run, "--prompt", "Hi", "--max-new-tokens", "2"],
        ["sft", str(ws.root), "--from", run, "--set", "max_steps=1"],
    ):
        assert main(argv) == 2
        err = capsys.readouterr().err.strip()
        assert "\n" not in err and "do not fit the model" in err and key in err, err
    events = run_events(pretrain.run(ws, resume=run, overrides={"max_steps": "8"}))
    warnings = [e.message for e in events if isinstance(e, Log) and e.level == "warning"]
    assert any("skipped a damaged checkpoint: step_000006" in w for w in warnings), warnings
    assert any(isinstance(e, Log) and "from step 3 (step_000003)" in e.message for e in events)
    assert events[-1].result["steps"] == 8
