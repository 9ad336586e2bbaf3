"""The template inspector shows the SFT stage's own loss mask and warns when generation departs from training."""

from __future__ import annotations

import json

import pytest
import torch

from engine import insight
from engine.errors import DojoError
from engine.insight import template
from engine.losses import IGNORE_INDEX
from engine.tokenizer import ASSISTANT, END, EOT, USER, load_tokenizer
from tests.conftest import run_events


def inspect(ws, **sets) -> dict:
    opts = insight.make_config("template", sets={k: str(v) for k, v in sets.items()})
    return run_events(insight.run("template", ws, opts))[-1].result


def codes(result: dict) -> list[str]:
    return [w["code"] for w in result["warnings"]]


def test_mask_equals_the_sft_stage_labels(sft_ws, tmp_path, one_thread):
    from engine.io.store import Store
    from engine.train.sft import SFTTask, make_config

    ws, res = sft_ws
    with Store(ws.db_path) as store:
        cfg = make_config(store.run(res["run"])["config"])
    tok = load_tokenizer(ws.tokenizer_path)
    first = inspect(ws, example=0)
    block = first["block_size"]
    assert first["run"] == res["run"] and block == 96  # the pretraining model's context
    task = SFTTask(ws, cfg, tok, block, torch.device("cpu"), tmp_path / "run")
    stage = {r["id"]: enc for r, enc in task.train + task.val}
    seen = 0
    for split, n in (("train", 6), ("val", 3)):
        for i in range(n):
            r = inspect(ws, example=i, split=split)
            ids = [t["id"] for t in r["tokens"]]
            enc = stage[r["example"]["id"]]
            x, y = task._batch([enc])  # the stage predicts ids[1:] from ids[:-1]
            assert ids[:-1] == x[0].tolist()
            assert [t["trained"] for t in r["tokens"][1:]] == (y[0] != IGNORE_INDEX).tolist()
            assert not r["tokens"][0]["trained"]  # the first token is never a target
            assert r["trained_count"] == int((y[0] != IGNORE_INDEX).sum())
            assert r["trained_count"] + r["masked_count"] == len(ids)
            seen += 1
    assert seen == 9
    # the split is the stage's: the same examples on each side (weights not repeated)
    unique = {r["id"]: r for r, _ in task.train if not r["id"].startswith("replay:")}  # pretraining rows aside
    assert first["example"]["count"] == len(unique) == first["train_examples"]
    assert inspect(ws, split="val")["example"]["count"] == len(task.val)
    # with a 96-token context and a 512-token vocabulary many answers lose their final <|end|>:
    # the inspector counts the examples whose full encoding reaches past the stage's cut at block + 1
    from engine.data.sft_data import encode_example

    cut = sum(len(encode_example(tok, r["messages"]).ids) - 2 >= block + 1 for r in unique.values())
    assert first["end_untrained"] == cut > 0
    assert codes(first) == ["end_not_trained"] and f"{cut} of {len(unique)}" in first["warnings"][0]["message"]


def _counts(ws, messages) -> tuple[int, int]:
    """(trained, masked) of a one-turn example, counted apart from the inspector: the answer's
    tokens and its <|end|>; <|user|>, the question, its <|end|>, <|assistant|> and <|endoftext|>."""
    tok = load_tokenizer(ws.tokenizer_path)
    n = [len(tok.encode(m["content"], add_special_tokens=False).ids) for m in messages]
    return n[1] + 1, n[0] + 4


def test_tokens_special_roles_and_chinese(ws):
    r = inspect(ws)
    tokens = r["tokens"]
    assert r["run"] == "" and "no SFT run" in r["note"] and r["block_size"] is None
    assert r["messages"][0]["content"] == "哈囉。"  # demo example 0 is Chinese
    specials = [t["text"] for t in tokens if t["special"]]
    assert specials == [USER, END, ASSISTANT, END, EOT]
    assert not any(t["special"] for t in tokens if t["role"] in ("user", "assistant") and t["text"] not in specials)
    # only the answer and its end-of-turn are trained: the last assistant token up to <|end|>
    trained = [t for t in tokens if t["trained"]]
    assert all(t["role"] == "assistant" for t in trained) and trained[-1]["text"] == END
    assert (r["trained_count"], r["masked_count"]) == _counts(ws, r["messages"])
    # a 512-token vocabulary splits Chinese characters into byte pieces; joined they read back
    assert any(t["partial"] for t in trained)
    assert "".join(template.readable(trained)) == r["messages"][1]["content"] + END
    assert "⟦你好！你可以問我關於示範世界裡的人的問題。<|end|>⟧" in template.summary(r)
    # generation builds the same prompt as training, token for token
    assert [t["id"] for t in r["generation_tokens"]] == [t["id"] for t in tokens[: r["training_prefix"]]]
    assert all(t["matches"] for t in r["generation_tokens"]) and r["first_difference"] is None
    assert r["system_only"] is False
    assert r["warnings"] == []


def test_plain_and_custom_formats_warn(ws):
    plain = inspect(ws, generation_format="plain")
    assert codes(plain) == ["format"]
    assert plain["generation_prompt"] == "User: 哈囉。\nAssistant:"
    assert plain["first_difference"] == {"position": 0, "trained": USER, "generation": "U"}
    assert "token 0" in plain["warnings"][0]["message"] and USER in plain["warnings"][0]["message"]
    # a custom string that spells the chat template is the chat template: no warning
    same = inspect(ws, generation_format=f"{USER}{{prompt}}{END}{ASSISTANT}")
    assert same["warnings"] == [] and same["first_difference"] is None
    # one that forgets the end-of-turn differs right after the question
    forgot = inspect(ws, generation_format=f"{USER}{{prompt}}{ASSISTANT}")
    n = len(forgot["generation_tokens"]) - 1
    assert codes(forgot) == ["format"] and forgot["first_difference"] == {
        "position": n,
        "trained": END,
        "generation": ASSISTANT,
    }
    with pytest.raises(DojoError, match="generation_format"):
        inspect(ws, generation_format="Q: {question}")


def test_system_message_checks(ws):
    # the demo mixes examples with and without a system message: either way is fine
    assert inspect(ws, system="You are helpful.")["warnings"] == []
    only_system = ws.data_dir / "sft" / "train.jsonl"
    rows = [json.loads(line) for line in only_system.read_text(encoding="utf-8").splitlines()]
    with_system = [row for row in rows if row["messages"][0]["role"] == "system"]
    only_system.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in with_system), encoding="utf-8")
    r = inspect(ws)
    assert r["system_share"] == 1.0 and codes(r) == ["system"]
    # the example's own system message is not sent: the prompts differ at token 0, explained by `system`
    assert r["first_difference"]["position"] == 0 and r["system_only"] is True
    assert inspect(ws, system=with_system[0]["messages"][0]["content"])["warnings"] == []


def test_response_only_run_warns_and_default_run_does_not(sft_ws, one_thread):
    from engine.train import sft

    ws, res = sft_ws
    assert codes(inspect(ws)) == ["end_not_trained"]  # only the block size (see the mask test)
    ro = run_events(
        sft.run(
            ws,
            sft.make_config(
                sets={
                    "max_steps": "2",
                    "batch_size": "4",
                    "eval_every": "2",
                    "sample_every": "0",
                    "checkpoint_every": "2",
                    "threads": "1",
                    "response_only": "true",
                }
            ),
        )
    )[-1].result["run"]
    r = inspect(ws)  # the latest SFT run
    assert r["run"] == ro and r["response_only"] is True
    assert codes(r) == ["response_only"]  # empty prompts: every answer fits the block
    assert r["messages"][0] == {"role": "user", "content": ""}  # what the run trained on
    assert r["generation_messages"][0]["content"].strip()  # what generation sends
    assert r["first_difference"]["position"] == 1 and r["first_difference"]["trained"] == END
    assert codes(inspect(ws, run=res["run"])) == ["end_not_trained"]
    with pytest.raises(DojoError, match="no run 'sft-nope'"):
        inspect(ws, run="sft-nope")


def test_end_of_turn_cut_by_the_block_size_warns(ws):
    tok = load_tokenizer(ws.tokenizer_path)
    long = [{"role": "user", "content": "Tell me everything."}, {"role": "assistant", "content": "word " * 80}]
    warnings = template.template_warnings(tok, long, long[:1], max_len=33, end_untrained=7, train_count=100)
    assert [w["code"] for w in warnings] == ["end_not_trained", "end_not_trained"]
    assert "7 of 100" in warnings[1]["message"] and "repeats itself" in warnings[1]["message"]
    assert template.template_warnings(tok, long, long[:1]) == []
    tokens = template.inspect_tokens(tok, long, max_len=33)
    assert len(tokens) == 33 and not any(t["text"] == END and t["role"] == "assistant" for t in tokens)


def test_messages_option_and_bad_input(ws):
    msgs = [{"role": "user", "content": "Who is 林志明?"}, {"role": "assistant", "content": "A teacher."}]
    r = inspect(ws, messages=json.dumps(msgs, ensure_ascii=False))
    assert r["messages"] == msgs and r["example"]["id"] == "messages" and r["warnings"] == []
    with pytest.raises(DojoError, match=r"example 9999 is out of range: the train split of .* has 494 examples"):
        inspect(ws, example=9999)
    with pytest.raises(DojoError, match="messages: invalid JSON"):
        inspect(ws, messages="[{")
    with pytest.raises(DojoError, match="messages: no assistant turn"):
        inspect(ws, messages=json.dumps(msgs[:1]))
    with pytest.raises(DojoError, match="must end with an assistant turn"):
        inspect(ws, messages=json.dumps(msgs + msgs[:1]))


def test_cli_json(ws, capsys):
    from engine.cli import main

    assert main(["insight", "template", str(ws.root), "--set", "generation_format=plain", "--json", "--quiet"]) == 0
    r = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert r["status"] == "done" and (r["trained_count"], r["masked_count"]) == _counts(ws, r["messages"])
    assert [w["code"] for w in r["warnings"]] == ["format"]
    assert main(["insight", "template", str(ws.root), "--set", "example=2"]) == 0
    out = capsys.readouterr().out
    assert "train example 2 of 494" in out and "no warnings" in out
