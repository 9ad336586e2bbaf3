"""Pretraining: it learns, it resumes exactly, and its guards hold (NaN, spikes, OOM, cancel)."""

import math
import signal
import subprocess
import sys
import threading
import time

import pytest
import torch

from engine import checkpoint as ckpt
from engine.errors import ConfigError, DojoError, TrainingError
from engine.events import Checkpoint, Control, Log, Metrics, Phase, Progress
from engine.io.store import Store
from engine.train import pretrain
from tests.conftest import TINY, run_events, tiny_sets


def cfg(**kw):
    return pretrain.make_config(sets={**TINY, **kw})


def finished(events) -> dict:
    return events[-1].result


def train_losses(events) -> list[float]:
    return [e.values["train/loss"] for e in events if isinstance(e, Metrics) and "train/loss" in e.values]


def test_tiny_run_learns_and_reports(ws):
    events = run_events(pretrain.run(ws, cfg(max_steps=60, sample_every=30)))
    r = finished(events)
    assert r["steps"] == 60 and r["tokens"] == 60 * 4 * 32
    losses = train_losses(events)
    assert sum(losses[-10:]) / 10 < sum(losses[:5]) / 5 - 0.8  # it learned (nats)
    assert r["val_loss"] < math.log(512)
    assert any(isinstance(e, Progress) for e in events)
    assert any(isinstance(e, Checkpoint) for e in events)
    # everything reported was written to the workspace database first
    with Store(ws.db_path) as store:
        assert len(store.metrics(r["run"], "train/loss")) == 60
        assert store.metrics(r["run"], "val/loss")[-1][0] == 60
        assert store.run(r["run"])["status"] == "done"
        assert len(store.samples(r["run"])) == 4  # two prompts at steps 30 and 60
    run_dir = ws.run_dir(r["run"])
    assert (run_dir / "config.toml").is_file() and "lmdojo-cli pretrain" in (run_dir / "command.txt").read_text()
    # between steps the job says what it does: validating before each validation, answering k / n
    # around the samples (made one at a time), saving before each checkpoint
    for i, e in enumerate(events):
        if isinstance(e, Metrics) and "val/loss" in e.values:
            assert events[i - 1] == Phase("validating")
        if isinstance(e, Checkpoint):
            assert events[i - 1] == Phase("saving")
    first = events.index(Phase("answering", 0, 2))
    kinds = [type(e).__name__ for e in events[first : first + 4]]
    assert kinds == ["Phase", "Sample", "Phase", "Sample"] and events[first + 2] == Phase("answering", 1, 2)
    assert sum(isinstance(e, Phase) and e.what == "answering" for e in events) == 4  # at steps 30 and 60


def test_resume_gives_the_same_trajectory(ws):
    full = finished(run_events(pretrain.run(ws, cfg(max_steps=40))))
    control = Control()
    part = []
    for ev in pretrain.run(ws, cfg(max_steps=40), control):
        part.append(ev)
        if isinstance(ev, Metrics) and ev.step == 23:
            control.cancel()  # a cancel mid-way saves a checkpoint at the step it stops at
    assert part[-1].status == "cancelled" and finished(part)["steps"] == 23
    resumed = finished(run_events(pretrain.run(ws, resume=part[-1].result["run"])))
    assert resumed["steps"] == 40 and resumed["run"] == part[-1].result["run"]
    assert resumed["final_train_loss"] == pytest.approx(full["final_train_loss"], abs=1e-5)
    with Store(ws.db_path) as store:
        a = [v for _, v in store.metrics(full["run"], "train/loss")]
        b = [v for _, v in store.metrics(resumed["run"], "train/loss")]
    assert len(b) == 40
    assert a == pytest.approx(b, abs=1e-5)


def test_resume_can_extend_the_budget(ws):
    first = finished(run_events(pretrain.run(ws, cfg(max_steps=20))))
    more = finished(run_events(pretrain.run(ws, resume=True, overrides={"max_steps": "30"})))
    assert more["run"] == first["run"] and more["steps"] == 30


def test_resume_refuses_a_different_model(ws):
    first = finished(run_events(pretrain.run(ws, cfg(max_steps=10))))
    with pytest.raises(DojoError, match="n_layer"):
        list(pretrain.run(ws, resume=first["run"], overrides={"n_layer": "3", "max_steps": "20"}))


@pytest.mark.parametrize("how", [signal.SIGINT, signal.SIGKILL])
def test_cli_interrupted_run_resumes_to_the_same_loss(ws, how):
    """The real thing: a process stopped by Ctrl-C or killed after a checkpoint, then --resume."""
    sets = tiny_sets(max_steps=60, checkpoint_every=5)
    base = [sys.executable, "-m", "engine.cli", "pretrain", str(ws.root), "--json", "--quiet", *sets]
    import json

    full = json.loads(subprocess.run(base, capture_output=True, text=True, check=True).stdout.splitlines()[-1])
    proc = subprocess.Popen(base, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 60
    while time.time() < deadline:  # wait for a checkpoint of the second run
        done = [
            p for p in ws.runs_dir.glob("*/checkpoints/step_*") if p.parts[-3] != full["run"] and ckpt.is_complete(p)
        ]
        if len(done) >= 2:
            break
        time.sleep(0.02)
    proc.send_signal(how)
    out, err = proc.communicate(timeout=60)
    if how == signal.SIGINT:  # the exit-code rule (engine/cli/common.py): cancelled is 130
        assert proc.returncode == 130, err
        assert json.loads(out.splitlines()[-1])["status"] == "cancelled"
    else:
        assert proc.returncode == -signal.SIGKILL
    run_id = done[0].parts[-3]
    if how == signal.SIGKILL:  # issue 19, item 19: its lock died with it, so it reads as interrupted
        out = subprocess.run(
            [sys.executable, "-m", "engine.cli", "runs", str(ws.root), "--json"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert {r["id"]: r["status"] for r in json.loads(out.splitlines()[-1])["runs"]}[run_id] == "interrupted"
    r = subprocess.run(
        [sys.executable, "-m", "engine.cli", "pretrain", str(ws.root), "--json", "--quiet", "--resume", run_id],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr
    resumed = json.loads(r.stdout.splitlines()[-1])
    assert resumed["steps"] == 60
    assert resumed["final_train_loss"] == pytest.approx(full["final_train_loss"], abs=1e-5)


def _poison_loss(monkeypatch, bad_steps: set[int], factor: float):
    """Multiply the training loss by `factor` on the given calls (inf → a non-finite loss)."""
    from engine.model import GPT

    real = GPT.forward
    calls = {"n": 0}

    def forward(self, idx, *a, targets=None, **kw):
        out, aux = real(self, idx, *a, targets=targets, **kw)
        if targets is not None and torch.is_grad_enabled():
            calls["n"] += 1
            if calls["n"] in bad_steps:
                return out * factor, aux
        return out, aux

    monkeypatch.setattr(GPT, "forward", forward)


def test_nan_loss_skips_the_update_and_records_the_batch(ws, monkeypatch):
    _poison_loss(monkeypatch, {7}, float("inf"))
    events = run_events(pretrain.run(ws, cfg(max_steps=15)))
    r = finished(events)
    assert r["steps"] == 15 and math.isfinite(r["final_train_loss"])
    warnings = [e.message for e in events if isinstance(e, Log) and e.level == "warning"]
    assert any("step 7: non-finite loss" in w for w in warnings)
    with Store(ws.db_path) as store:
        skipped = store.skipped(r["run"])
    assert [s["step"] for s in skipped] == [7] and skipped[0]["reason"] == "non-finite loss"
    assert skipped[0]["doc_ids"] and all(isinstance(d, str) for d in skipped[0]["doc_ids"])
    model, _ = ckpt.load_gpt(__import__("pathlib").Path(r["checkpoint"]))
    assert all(torch.isfinite(p).all() for p in model.parameters())


def test_repeated_nan_stops_with_a_clear_message(ws, monkeypatch):
    _poison_loss(monkeypatch, set(range(5, 100)), float("nan"))
    with pytest.raises(TrainingError, match="diverged: 3 bad steps in a row"):
        list(pretrain.run(ws, cfg(max_steps=30, max_bad_steps=3)))
    with Store(ws.db_path) as store:
        run = store.runs("pretrain")[-1]
    assert run["status"] == "failed" and "diverged" in run["message"]
    # the steps before the failure were kept in a checkpoint
    assert ckpt.list_checkpoints(ws.run_dir(run["id"]) / "checkpoints")


def test_loss_spike_is_skipped(ws, monkeypatch):
    _poison_loss(monkeypatch, {40}, 50.0)
    r = finished(run_events(pretrain.run(ws, cfg(max_steps=45, spike_window=32))))
    with Store(ws.db_path) as store:
        skipped = store.skipped(r["run"])
    assert [(s["step"], s["reason"]) for s in skipped] == [(40, "loss spike")]


def test_out_of_memory_halves_the_micro_batch(ws, monkeypatch):
    real = pretrain.PretrainTask.loss
    seen = []

    def loss(self, model, rows):
        seen.append(len(rows))
        if len(seen) == 3:
            raise torch.OutOfMemoryError("CUDA out of memory (simulated)")
        return real(self, model, rows)

    monkeypatch.setattr(pretrain.PretrainTask, "loss", loss)
    events = run_events(pretrain.run(ws, cfg(max_steps=5)))
    assert any(isinstance(e, Log) and "micro-batch halved to 2" in e.message for e in events)
    assert seen[:3] == [4, 4, 4] and seen[3:5] == [2, 2]  # the same 4 sequences, in two halves
    assert finished(events)["steps"] == 5


def test_out_of_memory_at_one_sequence_says_what_to_change(ws, monkeypatch):
    def loss(self, model, rows):
        raise torch.OutOfMemoryError("CUDA out of memory (simulated)")

    monkeypatch.setattr(pretrain.PretrainTask, "loss", loss)
    with pytest.raises(TrainingError, match="lower block_size"):
        list(pretrain.run(ws, cfg(max_steps=5, batch_size=1)))


def test_pause_resume_and_cancel_from_another_thread(ws):
    control = Control()
    seen = []

    def steer():
        while not seen:
            time.sleep(0.01)
        control.pause()
        n = len(seen)
        time.sleep(0.3)
        seen.append(("paused-progress", len(seen) - n))  # nothing arrived while paused
        control.resume()
        time.sleep(0.2)
        control.cancel()

    t = threading.Thread(target=steer)
    t.start()
    events = []
    for ev in pretrain.run(ws, cfg(max_steps=100000), control):
        events.append(ev)
        if isinstance(ev, Progress):
            seen.append(ev.step)
    t.join()
    assert events[-1].status == "cancelled"
    paused_delta = [x for x in seen if isinstance(x, tuple)][0][1]
    assert paused_delta <= 1
    r = finished(events)
    assert ckpt.read_meta(ckpt.list_checkpoints(ws.run_dir(r["run"]) / "checkpoints")[-1])["step"] == r["steps"]


def test_budget_is_required_and_too_little_data_fails_early(ws):
    with pytest.raises(ConfigError, match="max_steps or max_minutes"):
        list(pretrain.run(ws, cfg()))
    with pytest.raises(DojoError, match="too small"):
        list(pretrain.run(ws, cfg(max_steps=5, block_size=4096, n_embd=32)))


def test_time_budget_stops_and_decays(ws):
    events = run_events(pretrain.run(ws, cfg(max_minutes=0.05)))
    r = finished(events)
    assert 1.5 < r["elapsed_s"] < 10 and r["steps"] > 0
    lrs = [e.values["train/lr"] for e in events if isinstance(e, Metrics) and "train/lr" in e.values]
    assert lrs[-1] < max(lrs)  # decayed towards the end of the time budget


def test_mixture_of_experts_trains(ws):
    events = run_events(pretrain.run(ws, cfg(max_steps=20, n_experts=4, expert_top_k=2)))
    aux = [e.values["train/aux_loss"] for e in events if isinstance(e, Metrics) and "train/aux_loss" in e.values]
    assert len(aux) == 20 and all(a >= 0.99 for a in aux)  # Switch aux loss is >= 1 at best balance
    assert finished(events)["val_loss"] < math.log(512)


def test_mixed_training_puts_instruction_examples_in_the_batches_and_resumes_exactly(ws):
    from engine.tokenizer import USER, load_tokenizer

    c = cfg(max_steps=24, mix_qa=0.25)
    tok = load_tokenizer(ws.tokenizer_path)
    task = pretrain.PretrainTask(ws, cfg(mix_qa=0.25, block_size=96), tok, torch.device("cpu"))
    rows = task.next_rows(8)
    assert (rows[:, 0] < 0).sum() == 2  # a quarter of the rows come from the packed examples
    x, y = task._tensors(task.sampler, rows)
    for i in range(8):  # a 96-token window of examples (30-60 tokens each) holds a turn's role token
        assert (USER in tok.decode(x[i].tolist(), skip_special_tokens=False)) == (i >= 6)
    assert torch.equal(x[:, 1:], y[:, :-1])  # packed: inputs and targets are one stream, no padding
    assert [i for i in task.doc_ids(rows) if i.startswith("mix:")]

    full = finished(run_events(pretrain.run(ws, c)))
    control = Control()
    part = []
    for ev in pretrain.run(ws, c, control):
        part.append(ev)
        if isinstance(ev, Metrics) and ev.step == 11:
            control.cancel()
    resumed = finished(run_events(pretrain.run(ws, resume=part[-1].result["run"])))
    assert resumed["steps"] == 24
    assert resumed["final_train_loss"] == pytest.approx(full["final_train_loss"], abs=1e-5)
    with pytest.raises(DojoError, match="nowhere.jsonl"):
        run_events(pretrain.run(ws, cfg(max_steps=2, mix_qa=0.5, mix_data=str(ws.root / "nowhere.jsonl"))))


def test_memorisation_of_the_demo_facts_is_a_validation_metric(ws):
    r = finished(run_events(pretrain.run(ws, cfg(max_steps=20, eval_every=10))))
    with Store(ws.db_path) as store:
        shares = store.metrics(r["run"], "val/memorised")
    assert [s for s, _ in shares] == [0, 10, 20] and all(0.0 <= v <= 1.0 for _, v in shares)


def _drop_from_saved_config(checkpoint, key: str):
    """Make a checkpoint look as if an older LM Dojo wrote it (its config lacks `key`)."""
    import json
    from pathlib import Path

    folder = Path(checkpoint)
    meta = json.loads((folder / "meta.json").read_text())
    del meta["config"][key]
    (folder / "meta.json").write_text(json.dumps(meta))
    sizes = json.loads((folder / "COMPLETE").read_text())
    sizes["meta.json"] = len((folder / "meta.json").read_bytes())
    (folder / "COMPLETE").write_text(json.dumps(sizes))


def test_a_run_saved_before_shuffle_docs_resumes_on_its_fixed_windows(ws):
    full = finished(run_events(pretrain.run(ws, cfg(max_steps=30, shuffle_docs=False))))
    control = Control()
    part = []
    for ev in pretrain.run(ws, cfg(max_steps=30, shuffle_docs=False), control):
        part.append(ev)
        if isinstance(ev, Metrics) and ev.step == 13:
            control.cancel()
    _drop_from_saved_config(part[-1].result["checkpoint"], "shuffle_docs")
    resumed = finished(run_events(pretrain.run(ws, resume=part[-1].result["run"])))
    assert resumed["final_train_loss"] == pytest.approx(full["final_train_loss"], abs=1e-5)


@pytest.mark.parametrize(
    "sets, needle",
    [
        ({"n_layer": "200", "n_embd": "8192", "n_head": "64"}, "n_layer=200"),
        ({"batch_size": "100000000"}, "batch of 100000000"),
    ],
)
def test_a_model_or_batch_that_cannot_fit_is_refused_before_allocating(ws, sets, needle, capsys):
    """Issue 19, item 12: the estimate in the message, not minutes of work and an allocation error."""
    from engine.cli import main

    with pytest.raises(ConfigError, match=rf"{needle}.*does not fit|does not fit.*{needle}") as e:
        run_events(pretrain.run(ws, cfg(max_steps=2, **sets)))
    assert "GB" in str(e.value) and "free" in str(e.value)
    assert not [p for p in ws.runs_dir.iterdir()]  # nothing was started
    argv = [
        "pretrain",
        str(ws.root),
        *[a for k, v in {**TINY, "max_steps": "2", **sets}.items() for a in ("--set", f"{k}={v}")],
    ]
    assert main(argv) == 2 and "does not fit" in capsys.readouterr().err


def test_checkpoints_by_time_bound_what_a_crash_can_cost(ws):
    """Issue 19, item 20: with checkpoint_every far away, checkpoint_minutes still saves."""
    events = run_events(
        pretrain.run(ws, cfg(max_steps=60, checkpoint_every=100000, checkpoint_minutes=0.0003, keep_last=100))
    )
    steps = [e.step for e in events if isinstance(e, Checkpoint)]
    assert steps[-1] == 60 and len(steps) >= 3  # some on the clock before the one at the end
    assert all(0 < s < 60 for s in steps[:-1])
    plain = run_events(pretrain.run(ws, cfg(max_steps=20, checkpoint_every=100000, checkpoint_minutes=0)))
    assert [e.step for e in plain if isinstance(e, Checkpoint)] == [20]  # 0: by steps only


def test_a_run_far_slower_than_this_machine_was_says_so(ws, monkeypatch):
    """A run at under half the speed an earlier run of the same model reached warns once (other
    programs are using the CPU); a run of another shape has nothing to compare with."""
    from engine.train.estimate import slow_run_warning

    assert slow_run_warning(900.0, 2000.0, 2).startswith("this run trains at 900 tokens/s, 45% of the 2,000")
    assert slow_run_warning(1100.0, 2000.0, 2) == "" and slow_run_warning(10.0, None, 1) == ""
    first = finished(run_events(pretrain.run(ws, cfg(max_steps=3))))
    with Store(ws.db_path) as store:
        store.log_metrics(first["run"], 3, {"perf/tokens_per_s": 1e9})  # as if this machine had been fast
    monkeypatch.setattr(pretrain, "SLOW_CHECK_SECONDS", 0.0)
    warnings = [e.message for e in run_events(pretrain.run(ws, cfg(max_steps=3))) if isinstance(e, Log)]
    assert sum("other programs are probably using the CPU" in m for m in warnings) == 1
    other_shape = run_events(pretrain.run(ws, cfg(max_steps=3, n_embd=48)))
    assert not any(isinstance(e, Log) and "other programs" in e.message for e in other_shape)
