"""The checkpoint timeline on the demo world: token_diff by hand, the lineage of an SFT run (its
pretraining checkpoints up to the one it started from, then its own), every checkpoint answering
every prompt, the differences agreeing with the answers; prompt files; the CLI."""

import json

import pytest

from engine import checkpoint as ckpt
from engine import insight
from engine.errors import DojoError
from engine.insight import timeline
from engine.train import pretrain, sft
from tests.conftest import TINY, run_events
from tests.engine.insight_checks import insight_cli

SMALL = {"count": "4", "max_new_tokens": "8"}


def test_token_diff_by_hand():
    assert timeline.token_diff(["a", " b", " c"], ["a", " x", " c"]) == [
        ["equal", "a"],
        ["delete", " b"],
        ["insert", " x"],
        ["equal", " c"],
    ]
    assert timeline.token_diff(["我", "喜歡", "貓"], ["我", "喜歡", "狗", "貓"]) == [
        ["equal", "我喜歡"],
        ["insert", "狗"],
        ["equal", "貓"],
    ]
    assert timeline.token_diff(["台", "北"], ["台"]) == [["equal", "台"], ["delete", "北"]]
    assert timeline.token_diff([], ["Hi", "!"]) == [["insert", "Hi!"]]
    assert timeline.token_diff(["same"], ["same"]) == [["equal", "same"]]
    assert timeline.token_diff([], []) == []


def test_answer_pieces_keep_chinese_characters_whole(ws):
    from engine.tokenizer import load_tokenizer

    tok = load_tokenizer(ws.tokenizer_path)
    text = "謝語彤出生於台北。"
    pieces = timeline.answer_pieces(tok, tok.encode(text, add_special_tokens=False).ids)
    assert "".join(pieces) == text and "\ufffd" not in "".join(pieces)


@pytest.fixture
def history(ws, one_thread):
    """Pretraining with checkpoints at steps 5 and 10; SFT from step 5 (checkpoints 10 and 20); then a
    second pretraining run that is no ancestor of the SFT run."""
    pre = run_events(
        pretrain.run(
            ws, pretrain.make_config(sets={**TINY, "max_steps": "10", "block_size": "96", "checkpoint_every": "5"})
        )
    )[-1].result["run"]
    step5 = ws.run_dir(pre) / "checkpoints" / "step_000005"
    assert ckpt.is_complete(step5)
    tuned = run_events(
        sft.run(
            ws,
            sft.make_config(
                sets={
                    "base": str(step5),
                    "max_steps": "20",
                    "batch_size": "8",
                    "eval_every": "20",
                    "sample_every": "0",
                    "checkpoint_every": "10",
                    "threads": "1",
                    "lr": "3e-3",
                }
            ),
        )
    )[-1].result["run"]
    other = run_events(pretrain.run(ws, pretrain.make_config(sets={**TINY, "max_steps": "5", "block_size": "96"})))[
        -1
    ].result["run"]
    return ws, pre, tuned, other


def _check_frames(r, n_prompts):
    assert len(r["prompts"]) == n_prompts
    for k, f in enumerate(r["frames"]):
        assert len(f["answers"]) == n_prompts and len(f["changed"]) == n_prompts
        if k == 0:
            assert f["diffs"] == [] and not any(f["changed"])
            continue
        prev = r["frames"][k - 1]["answers"]
        assert len(f["diffs"]) == n_prompts
        for i, d in enumerate(f["diffs"]):
            # the diff rebuilds both answers, and `changed` says whether it has anything but equal text
            assert "".join(t for op, t in d if op != "delete") == f["answers"][i]
            assert "".join(t for op, t in d if op != "insert") == prev[i]
            assert f["changed"][i] == any(op != "equal" for op, _ in d)
            if f["answers"][i] != prev[i]:  # (the same text in other tokens is a change too)
                assert f["changed"][i]


def test_timeline_follows_the_lineage_of_the_newest_sft_run(history):
    ws, pre, tuned, other = history
    events = run_events(insight.run("timeline", ws, insight.make_config("timeline", sets=SMALL)))
    r = events[-1].result
    json.dumps(r)
    # the SFT run is the furthest stage; pretraining step 10 came after the SFT's start, the other run is no ancestor
    assert [(f["run"], f["stage"], f["step"]) for f in r["frames"]] == [
        (pre, "pretrain", 5),
        (tuned, "sft", 10),
        (tuned, "sft", 20),
    ]
    assert r["run"] == tuned
    _check_frames(r, 4)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in r["prompts"][1])  # English and Chinese take turns
    progress = [e for e in events if type(e).__name__ == "Progress"]
    assert [p.step for p in progress] == [1, 2, 3] and progress[-1].unit == "checkpoint"
    assert "3 checkpoints" in insight.summary("timeline", r)


def test_timeline_of_a_pretraining_run_and_a_prompt_file(history, tmp_path):
    ws, pre, tuned, other = history
    f = tmp_path / "prompts.jsonl"
    f.write_text(
        '{"prompt": "Who is Daisy Marsh?"}\n\n"台北在哪裡？"\n'
        '{"messages": [{"role": "user", "content": "Hello"}, {"role": "assistant", "content": "Hi"}]}\n',
        encoding="utf-8",
    )
    opts = insight.make_config("timeline", sets={"run": pre, "prompts": str(f), "count": "0", "max_new_tokens": "6"})
    r = run_events(insight.run("timeline", ws, opts))[-1].result
    assert r["prompts"] == ["Who is Daisy Marsh?", "台北在哪裡？", "Hello"]
    assert [(f["run"], f["step"]) for f in r["frames"]] == [(pre, 5), (pre, 10)]
    _check_frames(r, 3)
    txt = tmp_path / "prompts.txt"
    txt.write_text("one\ntwo\n", encoding="utf-8")
    assert timeline.read_prompts(txt) == [[{"role": "user", "content": "one"}], [{"role": "user", "content": "two"}]]


def test_bad_options_are_named(history, tmp_path):
    ws, pre, tuned, other = history
    with pytest.raises(DojoError, match="sft-nope"):
        run_events(insight.run("timeline", ws, insight.make_config("timeline", sets={"run": "sft-nope"})))
    with pytest.raises(DojoError, match="missing.jsonl"):
        run_events(insight.run("timeline", ws, insight.make_config("timeline", sets={"prompts": "missing.jsonl"})))
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"prompt": "ok"}\n{"nothing": 1}\n', encoding="utf-8")
    with pytest.raises(DojoError, match="bad.jsonl:2"):
        run_events(insight.run("timeline", ws, insight.make_config("timeline", sets={"prompts": str(bad)})))


def test_cli_timeline_json(sft_ws, capsys, one_thread):
    ws, sft_result = sft_ws
    rc, r = insight_cli("timeline", ws, capsys, SMALL)
    assert rc == 0
    assert r["status"] == "done" and r["run"] == sft_result["run"]
    assert [f["stage"] for f in r["frames"]] == ["pretrain", "sft"]
    _check_frames(r, 4)
