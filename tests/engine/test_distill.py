"""Distillation: a teacher's answers become an SFT set that a smaller student trains on."""

import json

import pytest

from engine import checkpoint as ckpt
from engine.cli import main
from engine.data.sft_data import load_prompts, load_sft_records
from engine.errors import DojoError
from engine.events import Control, Finished
from engine.generate import SamplingConfig, chat
from engine.io.store import Store
from engine.tokenizer import load_tokenizer
from engine.train import pretrain, sft
from engine.train.distill import distill
from tests.conftest import TINY, run_events

SFT_SETS = {
    "max_steps": "30",
    "batch_size": "8",
    "eval_every": "30",
    "sample_every": "0",
    "checkpoint_every": "30",
    "threads": "1",
    "lr": "3e-3",
    "replay": "0",  # 30 steps: every row an instruction, or the teacher has not learned to end its answers
}


@pytest.fixture
def teacher(ws):
    """A (slightly) bigger pretrained + SFT teacher and a smaller pretrained student."""
    big = run_events(pretrain.run(ws, pretrain.make_config(sets={**TINY, "n_embd": "48", "max_steps": "10"})))
    small = run_events(pretrain.run(ws, pretrain.make_config(sets={**TINY, "n_embd": "16", "max_steps": "10"})))
    t = run_events(sft.run(ws, sft.make_config(sets={**SFT_SETS, "base": big[-1].result["run"]})))
    return ws, t[-1].result["run"], small[-1].result["run"]


def test_load_prompts_from_text_dataset_and_prompt_only_lines(tmp_path):
    (tmp_path / "p.txt").write_text("Who is Mara?\n\n介紹一下你自己\n", encoding="utf-8")
    assert [p["messages"][-1]["content"] for p in load_prompts(tmp_path / "p.txt")] == [
        "Who is Mara?",
        "介紹一下你自己",
    ]
    (tmp_path / "p.jsonl").write_text(
        '{"prompt": "hi"}\n'
        '{"messages": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b"},'
        ' {"role": "user", "content": "c"}, {"role": "assistant", "content": "d"}]}\n',
        encoding="utf-8",
    )
    got = load_prompts(tmp_path / "p.jsonl")
    assert got[0]["messages"] == [{"role": "user", "content": "hi"}]
    assert [m["content"] for m in got[1]["messages"]] == ["a", "b", "c"]  # up to the last user turn
    (tmp_path / "bad.jsonl").write_text('{"prompt": "ok"}\n{"prompt": 3}\n')
    with pytest.raises(DojoError, match=r"bad.jsonl:2"):
        load_prompts(tmp_path / "bad.jsonl")
    (tmp_path / "empty.txt").write_text("\n\n")
    with pytest.raises(DojoError, match="no prompts"):
        load_prompts(tmp_path / "empty.txt")


def test_distilled_answers_are_the_teachers_and_a_student_trains_on_them(teacher):
    ws, teacher_run, student_run = teacher
    events = run_events(
        distill(
            ws, teacher_run, limit=12, keep_unfinished=True, sampling=SamplingConfig(greedy=True, max_new_tokens=16)
        )
    )
    r = events[-1].result
    # unfinished answers kept; only a blank one is not an example (this teacher is barely trained)
    tok = load_tokenizer(ws.tokenizer_path)
    model, _ = ckpt.load_gpt(ckpt.resolve(ws.runs_dir, teacher_run))
    said_all = [
        chat(model, tok, p["messages"], SamplingConfig(greedy=True, max_new_tokens=16))
        for p in load_prompts(ws.data_dir / "sft" / "train.jsonl")[:12]
    ]
    blank = sum(not s.text.strip() for s in said_all)
    assert blank < 6 and r["unfinished"] >= sum(s.stop_token is None for s in said_all)
    assert r["prompts"] == 12 and r["examples"] == 12 - blank
    records = load_sft_records(r["file"])  # a valid SFT dataset
    assert len(records) == r["examples"]
    # each answer is exactly what the teacher says to that prompt
    for rec in records[:3]:
        said = chat(model, tok, rec["messages"][:-1], SamplingConfig(greedy=True, max_new_tokens=16))
        assert rec["messages"][-1]["content"] == said.text.strip()
    lines = [json.loads(x) for x in open(r["file"], encoding="utf-8")]
    assert {x["metadata"]["teacher"] for x in lines} == {teacher_run}
    # the student (a smaller model) fine-tunes on the teacher's answers
    s = run_events(
        sft.run(ws, sft.make_config(sets={**SFT_SETS, "max_steps": "4", "base": student_run, "data": r["file"]}))
    )[-1].result
    with Store(ws.db_path) as store:
        assert student_run in store.run(s["run"])["parent"]
    assert ckpt.load_gpt(ckpt.resolve(ws.runs_dir, s["run"]))[0].cfg.n_embd == 16


def test_unfinished_answers_are_dropped_and_cancel_keeps_what_was_done(teacher, tmp_path):
    ws, teacher_run, _ = teacher
    one_token = SamplingConfig(greedy=True, max_new_tokens=1)  # nothing can finish in one token…
    with pytest.raises(DojoError, match="finished none"):
        list(distill(ws, teacher_run, limit=3, sampling=one_token))
    control = Control()
    out = tmp_path / "partial.jsonl"
    got = []
    # four tokens: one token is often a character's first byte, which shows as nothing (a blank answer)
    few = SamplingConfig(greedy=True, max_new_tokens=4)
    for ev in distill(ws, teacher_run, out=out, limit=10, keep_unfinished=True, sampling=few, control=control):
        got.append(ev)
        if len(got) == 3:
            control.cancel()
    assert isinstance(got[-1], Finished) and got[-1].status == "cancelled"
    assert got[-1].result["examples"] == 3 == len(out.read_text(encoding="utf-8").splitlines())


def test_cli_distill(teacher, capsys):
    ws, teacher_run, _ = teacher
    assert (
        main(
            [
                "distill",
                str(ws.root),
                "--teacher",
                teacher_run,
                "--limit",
                "4",
                "--keep-unfinished",
                "--max-new-tokens",
                "8",
                "--json",
                "--quiet",
            ]
        )
        == 0
    )
    r = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert r["status"] == "done" and r["prompts"] == 4 and r["file"].endswith(f"distilled-{teacher_run}.jsonl")
    assert main(["distill", str(ws.root), "--teacher", teacher_run, "--prompts", "nope.txt"]) == 2
    assert "no such prompts file" in capsys.readouterr().err
