"""Checkpoints: round trips, atomicity under SIGKILL, fsync discipline, retention, refusals."""

from __future__ import annotations

import json
import os
import pickle
import random
import shutil
import signal
import struct
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import torch
from safetensors import safe_open
from safetensors.torch import save_file

from engine import checkpoint as ckpt
from engine.errors import CheckpointError
from engine.model import GPT, GPTConfig

CFG = GPTConfig(vocab_size=97, block_size=32, n_layer=2, n_head=2, n_embd=32)
REPO = Path(__file__).resolve().parents[2]


pytestmark = pytest.mark.usefixtures("one_thread")


def small_model(seed: int = 0) -> GPT:
    torch.manual_seed(seed)
    return GPT(CFG)


def meta(**extra) -> dict:
    return {"model_config": CFG.to_dict(), "tokenizer_hash": "abc", **extra}


def batch(seed: int = 1):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(0, CFG.vocab_size, (2, 16), generator=g)


def fix_sizes(folder: Path) -> None:
    """Rewrite COMPLETE so it matches the files as they are now (load then reads them)."""
    (folder / "COMPLETE").write_text(json.dumps({n: (folder / n).stat().st_size for n in ckpt.FILES}))


@pytest.fixture
def saved(tmp_path):
    """A checkpoint of the small model at step 1 under tmp_path/ckpts."""
    root = tmp_path / "ckpts"
    model = small_model()
    return root, ckpt.save(root, 1, model, meta()), model


# -- round trips ------------------------------------------------------------------------------
def test_weights_round_trip_keeps_tie_and_logits(tmp_path):
    model = small_model(0)
    folder = ckpt.save(tmp_path, 7, model, meta(val_loss=2.5), train_state={"x": torch.arange(3.0)})
    assert folder == tmp_path / "step_000007" and ckpt.is_complete(folder)

    with safe_open(str(folder / "model.safetensors"), "pt") as f:
        keys, md = set(f.keys()), f.metadata()
    assert "tok_emb.weight" in keys and "lm_head.weight" not in keys  # the tied matrix is stored once
    assert json.loads(md["tied"]) == {"lm_head.weight": "tok_emb.weight"}
    assert json.loads(md["model_config"]) == CFG.to_dict() and md["tokenizer_hash"] == "abc"

    loaded = ckpt.load(folder)
    assert loaded.meta["step"] == 7 and loaded.meta["val_loss"] == 2.5 and loaded.meta["format"] == ckpt.FORMAT
    assert torch.equal(loaded.train_state["x"], torch.arange(3.0))

    fresh = small_model(seed=123)
    assert not torch.equal(fresh.tok_emb.weight, model.tok_emb.weight)
    ckpt.load_weights(fresh, loaded.model, loaded.meta["tied"])
    assert fresh.lm_head.weight is fresh.tok_emb.weight
    a, b = dict(model.named_parameters()), dict(fresh.named_parameters())
    assert a.keys() == b.keys()
    for k, v in a.items():
        assert torch.equal(v, b[k]), k
    x = batch()
    with torch.no_grad():
        assert torch.equal(model.eval()(x)[0], fresh.eval()(x)[0])


def test_load_weights_refuses_weights_of_another_shape(saved):
    _, folder, _ = saved
    loaded = ckpt.load(folder)
    other = GPT(GPTConfig(vocab_size=97, block_size=32, n_layer=3, n_head=2, n_embd=32))
    with pytest.raises(CheckpointError, match="do not fit"):
        ckpt.load_weights(other, loaded.model, loaded.meta["tied"])


def test_optimizer_round_trip_is_bitwise(tmp_path):
    def step(model, opt, seed):
        x = batch(seed)
        logits, _ = model(x)
        loss = torch.nn.functional.cross_entropy(logits[:, :-1].flatten(0, 1), x[:, 1:].flatten())
        opt.zero_grad()
        loss.backward()
        opt.step()

    model = small_model(0)
    opt = torch.optim.AdamW(model.parameters(), lr=1e-2, betas=(0.9, 0.95), weight_decay=0.1)
    step(model, opt, 1)
    step(model, opt, 2)
    tensors, groups = ckpt.optimizer_tensors(opt)
    assert any(k.endswith(".exp_avg_sq") for k in tensors)
    folder = ckpt.save(tmp_path, 2, model, meta(param_groups=groups), train_state=tensors)

    loaded = ckpt.load(folder)
    model2 = small_model(seed=99)
    ckpt.load_weights(model2, loaded.model, loaded.meta["tied"])
    opt2 = torch.optim.AdamW(model2.parameters(), lr=0.5, betas=(0.5, 0.5), weight_decay=0.0)  # all restored
    ckpt.restore_optimizer(opt2, loaded.train_state, loaded.meta["param_groups"])
    assert opt2.param_groups[0]["lr"] == 1e-2

    step(model, opt, 3)
    step(model2, opt2, 3)
    for (k, p), (_, q) in zip(model.named_parameters(), model2.named_parameters()):
        assert torch.equal(p, q), k
    assert model2.lm_head.weight is model2.tok_emb.weight


def test_restore_optimizer_refuses_state_of_another_model(tmp_path):
    model = small_model()
    opt = torch.optim.AdamW(model.parameters())
    tensors, groups = ckpt.optimizer_tensors(opt)
    other = torch.optim.AdamW(GPT(GPTConfig(vocab_size=97, block_size=32, n_layer=3, n_head=2, n_embd=32)).parameters())
    with pytest.raises(CheckpointError, match="optimizer"):
        ckpt.restore_optimizer(other, tensors, groups)


def test_load_gpt_returns_eval_model_with_equal_logits(saved):
    _, folder, model = saved
    loaded_model, m = ckpt.load_gpt(folder, tokenizer_hash="abc")
    assert not loaded_model.training and m["step"] == 1
    assert loaded_model.lm_head.weight is loaded_model.tok_emb.weight
    x = batch()
    with torch.no_grad():
        assert torch.equal(model.eval()(x)[0], loaded_model(x)[0])
    with pytest.raises(CheckpointError, match="tokenizer"):
        ckpt.load_gpt(folder, tokenizer_hash="other")


def test_saving_the_same_step_again_replaces_it(saved):
    root, folder, model = saved
    with torch.no_grad():
        model.norm.weight.fill_(3.0)
    assert ckpt.save(root, 1, model, meta()) == folder
    assert torch.all(ckpt.load(folder).model["norm.weight"] == 3.0)
    assert [p.name for p in root.iterdir()] == ["step_000001"]  # no .tmp or .old left behind


# -- atomicity: SIGKILL in the middle of saving -------------------------------------------------
# A fork server: it imports torch once, then forks one saver per trial; the test SIGKILLs the
# saver at a random moment. The saver writes checkpoints of increasing steps in a loop, every
# weight set to the step number, so a checkpoint whose files come from different saves shows up.
SAVER = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    import torch
    torch.set_num_threads(1)
    from engine import checkpoint as ckpt
    from engine.model import GPT, GPTConfig
    root = Path(sys.argv[1])
    cfg = GPTConfig(vocab_size=97, block_size=32, n_layer=4, n_head=4, n_embd=256)
    model = GPT(cfg)
    print("ready", flush=True)
    for _ in sys.stdin:
        pid = os.fork()
        if pid == 0:
            done = ckpt.list_checkpoints(root)
            step = int(done[-1].name[5:]) + 1 if done else 1
            with torch.no_grad():
                while True:
                    for p in model.parameters():
                        p.fill_(float(step))
                    ckpt.save(root, step, model, {"model_config": cfg.to_dict(), "val_loss": 1.0 / step},
                              {"marker": torch.tensor([step])})
                    step += 1
        print(pid, flush=True)
        _, status = os.waitpid(pid, 0)
        print(os.WTERMSIG(status) if os.WIFSIGNALED(status) else -1, flush=True)
""")


def _check_after_kill(root: Path) -> None:
    found = ckpt.list_checkpoints(root)
    assert found, "a kill left no complete checkpoint"
    for p in root.iterdir():
        if ckpt._STEP_DIR.match(p.name):
            assert ckpt.is_complete(p), f"{p.name} is a final folder but incomplete"
    newest = ckpt.load(found[-1])
    step = newest.meta["step"]
    assert found[-1].name == f"step_{step:06d}"
    assert int(newest.train_state["marker"]) == step
    for k, t in newest.model.items():
        assert torch.isfinite(t).all() and torch.all(t == float(step)), k  # every file from the same save


def test_sigkill_during_save_never_leaves_a_broken_checkpoint(tmp_path):
    root = tmp_path / "ckpts"
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    server = subprocess.Popen(
        [sys.executable, "-c", SAVER, str(root)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env=env,
    )
    rng = random.Random(1234)
    interrupted = 0
    try:
        assert server.stdout.readline().strip() == "ready"
        for trial in range(20):
            server.stdin.write("go\n")
            server.stdin.flush()
            pid = int(server.stdout.readline())
            if trial < 2:  # the first two savers each complete a checkpoint first: waited for, not timed
                deadline = time.monotonic() + 120  # only a guard against a saver that hangs
                while len(ckpt.list_checkpoints(root)) < trial + 1:
                    assert time.monotonic() < deadline, "saver wrote no checkpoint"
                    time.sleep(0.005)
            time.sleep(rng.uniform(0.0, 0.15))
            os.kill(pid, signal.SIGKILL)
            assert int(server.stdout.readline()) == signal.SIGKILL  # died by the kill, not by an error
            interrupted += any(p.name.endswith(".tmp") for p in root.iterdir())
            _check_after_kill(root)
    finally:
        server.kill()
        server.wait()
    assert interrupted >= 1, "no kill landed during a save; the test did not test anything"
    assert len(ckpt.list_checkpoints(root)) >= 2
    # a later prune clears the debris of the killed saves
    ckpt.prune(root, keep_last=2)
    assert not list(root.glob("*.tmp"))


def test_incomplete_checkpoints_are_skipped_and_refused(tmp_path):
    model = small_model()
    for step in (1, 2, 3):
        ckpt.save(tmp_path, step, model, meta())
    s2, s3 = tmp_path / "step_000002", tmp_path / "step_000003"

    (s3 / "COMPLETE").unlink()
    assert ckpt.list_checkpoints(tmp_path)[-1] == s2
    with pytest.raises(CheckpointError, match="incomplete"):
        ckpt.load(s3)

    data = (s2 / "model.safetensors").read_bytes()
    (s2 / "model.safetensors").write_bytes(data[: len(data) // 2])
    assert ckpt.list_checkpoints(tmp_path) == [tmp_path / "step_000001"]
    with pytest.raises(CheckpointError, match="incomplete"):
        ckpt.load(s2)
    with pytest.raises(CheckpointError, match="incomplete"):
        ckpt.resolve(tmp_path, str(s2))
    (tmp_path / "step_000004.tmp").mkdir()  # a save that never finished
    assert ckpt.list_checkpoints(tmp_path) == [tmp_path / "step_000001"]


# -- temp files, fsync, rename ------------------------------------------------------------------
def test_every_file_is_fsynced_then_renamed_into_place(tmp_path, monkeypatch):
    root = tmp_path / "ckpts"
    ckpt.save(root, 1, small_model(), meta())  # root exists; step 2 is the one we watch
    events = []
    real_fsync, real_replace, real_rename = os.fsync, os.replace, os.rename

    def fsync(fd):
        events.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        return real_fsync(fd)

    def replace(src, dst, **kw):
        events.append(("replace", os.fspath(src), os.fspath(dst)))
        return real_replace(src, dst, **kw)

    def rename(src, dst, **kw):
        events.append(("rename", os.fspath(src), os.fspath(dst)))
        return real_rename(src, dst, **kw)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(os, "rename", rename)
    final = ckpt.save(root, 2, small_model(), meta())
    monkeypatch.undo()

    tmp = str(root / "step_000002.tmp")
    replaces = {Path(e[2]).name: i for i, e in enumerate(events) if e[0] == "replace"}
    assert set(replaces) == set(ckpt.FILES) | {"COMPLETE"} == {p.name for p in final.iterdir()}
    for name, i in replaces.items():
        src, dst = events[i][1], events[i][2]
        assert dst == f"{tmp}/{name}" and Path(src).parent == Path(tmp) and src != dst
        assert ("fsync", src) in events[:i], f"{name}: renamed into place before its data was fsynced"
        assert ("fsync", tmp) in events[i + 1 :], f"{name}: folder not fsynced after the rename"
    assert list(replaces)[-1] == "COMPLETE"  # the marker is written last
    (ren,) = [i for i, e in enumerate(events) if e[0] == "rename"]
    assert events[ren][1:] == (tmp, str(final)) and ren > max(replaces.values())
    assert ("fsync", str(root)) in events[ren + 1 :], "checkpoint folder rename not fsynced"
    assert not list(root.glob("**/*.tmp")) and not list(final.glob(".*"))  # no temp file left behind


# -- retention ---------------------------------------------------------------------------------
def test_prune_keeps_newest_and_best(tmp_path):
    model = small_model()
    for step, vl in zip(range(1, 7), (5.0, 3.0, 1.5, 4.0, 2.5, 2.0)):
        ckpt.save(tmp_path, step, model, meta(val_loss=vl))
    (tmp_path / "step_000007.tmp").mkdir()
    removed = ckpt.prune(tmp_path, keep_last=2)
    assert sorted(p.name for p in removed) == ["step_000001", "step_000002", "step_000004"]
    assert [p.name for p in ckpt.list_checkpoints(tmp_path)] == ["step_000003", "step_000005", "step_000006"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["step_000003", "step_000005", "step_000006"]
    with pytest.raises(ValueError):
        ckpt.prune(tmp_path, keep_last=1)
    assert len(ckpt.list_checkpoints(tmp_path)) == 3


# -- refusals ----------------------------------------------------------------------------------
@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_non_finite_weights_are_refused(saved, bad):
    root, folder, _ = saved
    copy = root / "step_000002"
    shutil.copytree(folder, copy)
    weights = ckpt.load(folder).model
    weights["norm.weight"] = weights["norm.weight"].clone()
    weights["norm.weight"][3] = bad
    with safe_open(str(folder / "model.safetensors"), "pt") as f:
        md = f.metadata()
    save_file(weights, str(copy / "model.safetensors"), metadata=md)
    fix_sizes(copy)
    assert ckpt.is_complete(copy)
    with pytest.raises(CheckpointError, match="NaN") as e:
        ckpt.load(copy)
    assert "norm.weight" in str(e.value)


def test_non_finite_optimizer_state_is_refused(saved):
    _, folder, _ = saved
    save_file({"optim.0.exp_avg": torch.tensor([1.0, float("nan")])}, str(folder / "train_state.safetensors"))
    fix_sizes(folder)
    with pytest.raises(CheckpointError, match="NaN"):
        ckpt.load(folder)
    assert ckpt.load(folder, with_train_state=False).meta["step"] == 1  # inference never reads it


def test_check_compatible_names_what_differs(saved):
    _, folder, _ = saved
    m = ckpt.read_meta(folder)
    ckpt.check_compatible(m, CFG.to_dict(), "abc", folder)  # the same: no error
    with pytest.raises(CheckpointError, match="n_layer") as e:
        ckpt.check_compatible(m, {**CFG.to_dict(), "n_layer": 3}, "abc", folder)
    assert "n_embd" not in str(e.value)
    with pytest.raises(CheckpointError, match="tokenizer") as e:
        ckpt.check_compatible(m, CFG.to_dict(), "def", folder)
    assert "abc" in str(e.value) and "def" in str(e.value)


class _Evil:
    def __init__(self, sentinel: Path):
        self.sentinel = str(sentinel)

    def __reduce__(self):
        return (exec, (f"open({self.sentinel!r}, 'w').close()",))


def _header_too_long(data: bytes) -> bytes:
    return struct.pack("<Q", len(data) + 1000) + data[8:]


@pytest.mark.parametrize("damage", ["truncated", "random", "header_too_long", "pickle", "empty"])
@pytest.mark.parametrize("name", ["model.safetensors", "train_state.safetensors"])
def test_malformed_safetensors_are_refused(saved, damage, name, tmp_path):
    _, folder, _ = saved
    path = folder / name
    data = path.read_bytes()
    sentinel = tmp_path / "pwned"
    bad = {
        "truncated": data[: len(data) * 2 // 3],
        "random": random.Random(7).randbytes(4096),
        "header_too_long": _header_too_long(data),
        "pickle": pickle.dumps({"tok_emb.weight": _Evil(sentinel)}),
        "empty": b"",
    }[damage]
    path.write_bytes(bad)
    fix_sizes(folder)
    assert ckpt.is_complete(folder)  # so load gets as far as reading the file
    with pytest.raises(CheckpointError, match="damaged") as e:
        ckpt.load(folder)
    assert name in str(e.value)
    if name == "model.safetensors":
        with pytest.raises(CheckpointError):
            ckpt.load_gpt(folder)
    assert not sentinel.exists(), "a pickle in a checkpoint was executed"


def test_damaged_meta_is_refused(saved):
    _, folder, _ = saved
    (folder / "meta.json").write_text("{not json")
    fix_sizes(folder)
    with pytest.raises(CheckpointError, match="meta.json"):
        ckpt.load(folder)
    (folder / "meta.json").write_text(json.dumps({"format": "other"}))
    fix_sizes(folder)
    with pytest.raises(CheckpointError, match="format"):
        ckpt.load(folder)


def test_resolve(tmp_path):
    runs = tmp_path / "runs"
    root = runs / "pretrain-1" / "checkpoints"
    model = small_model()
    ckpt.save(root, 1, model, meta())
    newest = ckpt.save(root, 2, model, meta())
    assert ckpt.resolve(runs, "pretrain-1") == newest
    assert ckpt.resolve(runs, str(root / "step_000001")) == root / "step_000001"
    with pytest.raises(CheckpointError, match="nope"):
        ckpt.resolve(runs, "nope")
    (runs / "empty-run").mkdir()
    with pytest.raises(CheckpointError, match="no complete checkpoint"):
        ckpt.resolve(runs, "empty-run")
    with pytest.raises(CheckpointError, match="not found"):
        ckpt.load(tmp_path / "missing")
