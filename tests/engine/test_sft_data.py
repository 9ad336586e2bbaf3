"""SFT data: format detection, validation messages with locations, chat-template encoding and loss mask."""

import json
import re

import numpy as np
import pytest

from engine.data.demo import DemoConfig, write_demo_world
from engine.data.sft_data import (
    Encoded,
    encode_example,
    load_sft_records,
    response_only,
    select_examples,
)
from engine.data.shards import EpochOrder, SamplerState
from engine.errors import DojoError
from engine.losses import IGNORE_INDEX
from engine.tokenizer import END, EOT, chat_ids, encode_template, render_chat, special_id, train_tokenizer


@pytest.fixture(scope="module")
def tok():
    corpus = [
        "The quick brown fox jumps over the lazy dog. Where was Mara born? She was born in Lumen Bay. " * 3,
        "陳怡君於1987年3月14日出生在流明灣。她的興趣是賞鳥。你好,我是助理。" * 3,
    ]
    return train_tokenizer(corpus * 20, vocab_size=400)


def write_jsonl(path, rows):
    path.write_text(
        "".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in rows), encoding="utf-8"
    )
    return path


MULTI = [
    {"role": "system", "content": "You are helpful."},
    {"role": "user", "content": "Where was Mara born?"},
    {"role": "assistant", "content": "She was born in Lumen Bay."},
    {"role": "user", "content": "她的興趣是什麼?"},
    {"role": "assistant", "content": "她的興趣是賞鳥。"},
]


# --- formats -----------------------------------------------------------------------------------


def test_alpaca_with_and_without_input(tmp_path):
    p = write_jsonl(
        tmp_path / "a.jsonl",
        [
            {"instruction": "Translate.", "input": "你好", "output": "Hello"},
            {"instruction": "Say hi.", "output": "Hi!"},
            {"instruction": "Say hi.", "input": "", "output": "Hi!"},
        ],
    )
    recs = load_sft_records(p)
    assert recs[0]["messages"] == [
        {"role": "user", "content": "Translate.\n\n你好"},
        {"role": "assistant", "content": "Hello"},
    ]
    assert recs[1]["messages"] == [{"role": "user", "content": "Say hi."}, {"role": "assistant", "content": "Hi!"}]
    assert recs[2]["messages"] == recs[1]["messages"]
    assert recs[0]["source"] == f"{p}:1" and recs[0]["id"] == "a-1"


def test_messages_multi_turn_with_system(tmp_path):
    p = write_jsonl(tmp_path / "m.jsonl", [{"id": "x1", "messages": MULTI, "metadata": {"lang": "en"}}])
    (rec,) = load_sft_records(p)
    assert rec == {"id": "x1", "messages": MULTI, "source": f"{p}:1", "weight": 1}


def test_sharegpt(tmp_path):
    p = write_jsonl(
        tmp_path / "s.jsonl",
        [
            {
                "conversations": [
                    {"from": "system", "value": "Be brief."},
                    {"from": "human", "value": "Hi"},
                    {"from": "gpt", "value": "Hello"},
                    {"from": "user", "value": "Bye"},
                    {"from": "assistant", "value": "Goodbye"},
                ]
            }
        ],
    )
    (rec,) = load_sft_records(p)
    assert [m["role"] for m in rec["messages"]] == ["system", "user", "assistant", "user", "assistant"]
    assert rec["messages"][-1]["content"] == "Goodbye"


def test_prompt_response_and_completion(tmp_path):
    p = write_jsonl(tmp_path / "p.jsonl", [{"prompt": "2+2?", "response": "4"}, {"prompt": "3+3?", "completion": "6"}])
    recs = load_sft_records(p)
    assert [r["messages"][1]["content"] for r in recs] == ["4", "6"]
    assert all(r["messages"][0]["role"] == "user" for r in recs)


def test_json_array_and_blank_lines(tmp_path):
    p = tmp_path / "arr.json"
    p.write_text(json.dumps([{"prompt": "a", "response": "b"}, {"instruction": "c", "output": "d"}]), encoding="utf-8")
    recs = load_sft_records(p)
    assert [r["source"] for r in recs] == [f"{p}:1", f"{p}:2"]
    q = write_jsonl(tmp_path / "b.jsonl", ["", {"prompt": "a", "response": "b"}, "   "])
    assert load_sft_records(q)[0]["source"] == f"{q}:2"


def test_parquet(tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    p = tmp_path / "d.parquet"
    pq.write_table(
        pa.Table.from_pylist(
            [
                {"instruction": "Say hi.", "input": None, "output": "Hi!"},
                {"instruction": "Echo", "input": "你好", "output": "你好"},
            ]
        ),
        p,
    )
    recs = load_sft_records(p)
    assert recs[0]["messages"][0]["content"] == "Say hi."
    assert recs[1]["messages"][0]["content"] == "Echo\n\n你好"
    assert recs[1]["source"] == f"{p}:2"
    q = tmp_path / "m.parquet"
    pq.write_table(pa.Table.from_pylist([{"id": "z", "messages": MULTI}]), q)
    assert load_sft_records(q)[0]["messages"] == MULTI


def test_folder_reads_sorted_files(tmp_path):
    write_jsonl(tmp_path / "b.jsonl", [{"prompt": "b", "response": "B"}])
    write_jsonl(tmp_path / "a.jsonl", [{"prompt": "a", "response": "A"}])
    (tmp_path / "notes.txt").write_text("ignored")
    recs = load_sft_records(tmp_path)
    assert [r["messages"][0]["content"] for r in recs] == ["a", "b"]


# --- validation --------------------------------------------------------------------------------

GOOD = {"prompt": "q", "response": "a"}


@pytest.mark.parametrize(
    "bad, message",
    [
        ("{not json", "invalid JSON"),
        ("[1, 2]", "not an object"),
        (
            {"text": "hello"},
            "unknown format (expected one of: instruction/output, messages, conversations, prompt/response",
        ),
        ({"instruction": "x"}, "missing field 'output'"),
        ({"prompt": "x"}, "missing field 'response'"),
        ({"prompt": "x", "response": 5}, "field 'response' must be a string"),
        (
            {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": ["x"]}]},
            "'content' must be a string, got list (message 2)",
        ),
        (
            {"messages": [{"role": "user"}, {"role": "assistant", "content": "x"}]},
            "missing field 'content' (message 1)",
        ),
        ({"messages": "hi"}, "field 'messages' must be a list"),
        ({"messages": [{"role": "bot", "content": "hi"}]}, "unknown role 'bot' (message 1"),
        (
            {"conversations": [{"from": "human", "value": "hi"}, {"from": "robot", "value": "x"}]},
            "unknown role 'robot' (message 2",
        ),
        (
            {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "  "}]},
            "empty assistant turn (message 2)",
        ),
        ({"instruction": "x", "output": ""}, "empty assistant turn (message 2)"),
        ({"messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "hi"}]}, "no assistant turn"),
        ({"messages": []}, "no assistant turn"),
        (
            {
                "messages": [
                    {"role": "user", "content": "hi"},
                    {"role": "assistant", "content": "yo"},
                    {"role": "user", "content": "and?"},
                ]
            },
            "conversation must end with an assistant turn",
        ),
        (GOOD | {"weight": 0}, "weight must be a whole number from 1 to 100, not 0"),
        (GOOD | {"weight": 2.5}, "weight must be a whole number from 1 to 100, not 2.5"),
        (GOOD | {"weight": "3"}, "weight must be a whole number from 1 to 100, not '3'"),
    ],
)
def test_malformed_records_name_file_and_line(tmp_path, bad, message):
    p = write_jsonl(tmp_path / "x.jsonl", [GOOD, "", GOOD, GOOD, GOOD, GOOD, bad, GOOD])
    with pytest.raises(DojoError) as e:
        load_sft_records(p)
    assert str(e.value).startswith(f"{p}:7: ")
    assert message in str(e.value)


def test_malformed_json_array_uses_index(tmp_path):
    p = tmp_path / "x.json"
    p.write_text(
        json.dumps(
            [GOOD, GOOD, {"messages": [{"role": "user", "content": "hi"}, {"role": "assistant", "content": ""}]}]
        )
    )
    with pytest.raises(DojoError, match=r"x\.json:3: empty assistant turn \(message 2\)"):
        load_sft_records(p)
    p.write_text('{"prompt": "a"}')
    with pytest.raises(DojoError, match="expected a JSON array"):
        load_sft_records(p)


def test_empty_dataset_refused(tmp_path):
    p = write_jsonl(tmp_path / "e.jsonl", ["", "  "])
    with pytest.raises(DojoError, match=f"dataset is empty: {p}"):
        load_sft_records(p)
    (tmp_path / "empty.json").write_text("[]")
    with pytest.raises(DojoError, match="dataset is empty"):
        load_sft_records(tmp_path / "empty.json")
    d = tmp_path / "dir"
    d.mkdir()
    with pytest.raises(DojoError, match="dataset is empty"):
        load_sft_records(d)
    with pytest.raises(DojoError, match="no such file"):
        load_sft_records(tmp_path / "missing.jsonl")


# --- encoding ----------------------------------------------------------------------------------


def test_template_round_trip(tok):
    enc = encode_example(tok, MULTI)
    assert isinstance(enc, Encoded) and len(enc.ids) == len(enc.labels)
    assert enc.ids[:-1] == chat_ids(tok, MULTI) == encode_template(tok, render_chat(MULTI))
    assert enc.ids[-1] == special_id(tok, EOT)
    text = tok.decode(enc.ids, skip_special_tokens=False)
    assert text == render_chat(MULTI) + EOT
    plain = tok.decode(enc.ids)
    for m in MULTI:
        assert m["content"] in plain


def test_mask_covers_assistant_content_and_end(tok):
    enc = encode_example(tok, MULTI)
    trained = [i for i, lab in zip(enc.ids, enc.labels) if lab != IGNORE_INDEX]
    assert all(lab in (i, IGNORE_INDEX) for i, lab in zip(enc.ids, enc.labels))
    expected = "".join(m["content"] + END for m in MULTI if m["role"] == "assistant")
    assert tok.decode(trained, skip_special_tokens=False) == expected
    # role tokens (the assistant one too) and EOT are not trained
    role_and_eot = {special_id(tok, t) for t in ("<|system|>", "<|user|>", "<|assistant|>", EOT)}
    assert not any(lab in role_and_eot for lab in enc.labels)
    assert enc.labels[-1] == IGNORE_INDEX


def test_loss_on_all(tok):
    enc = encode_example(tok, MULTI, loss_on="all")
    assert enc.labels == enc.ids
    with pytest.raises(DojoError, match="loss_on"):
        encode_example(tok, MULTI, loss_on="users")


def test_truncation(tok):
    full = encode_example(tok, MULTI)
    short = encode_example(tok, MULTI, max_len=20)
    assert short is None or (short.ids == full.ids[:20] and short.labels == full.labels[:20])
    first_trained = next(k for k, lab in enumerate(full.labels) if lab != IGNORE_INDEX)
    assert encode_example(tok, MULTI, max_len=first_trained) is None
    cut = encode_example(tok, MULTI, max_len=first_trained + 1)
    assert cut.ids == full.ids[: first_trained + 1] and cut.labels[-1] == cut.ids[-1]
    assert encode_example(tok, MULTI, max_len=10_000) == full


def test_empty_user_prompt_encodes(tok):
    recs = response_only([{"id": "a", "messages": MULTI, "source": "f:1"}])
    msgs = recs[0]["messages"]
    assert msgs == [
        {"role": "user", "content": ""},
        {"role": "assistant", "content": MULTI[2]["content"]},
        {"role": "user", "content": ""},
        {"role": "assistant", "content": MULTI[4]["content"]},
    ]
    assert recs[0]["id"] == "a" and recs[0]["source"] == "f:1"
    enc = encode_example(tok, msgs)
    assert enc.ids[:-1] == chat_ids(tok, msgs)


def test_response_only_single_turn():
    recs = response_only(
        [
            {
                "id": "a",
                "messages": [
                    {"role": "system", "content": "s"},
                    {"role": "user", "content": "q"},
                    {"role": "assistant", "content": "ans"},
                ],
                "source": "f:1",
            }
        ]
    )
    assert recs[0]["messages"] == [{"role": "user", "content": ""}, {"role": "assistant", "content": "ans"}]


# --- selection ---------------------------------------------------------------------------------


def _rec(i, prompt, answer):
    return {
        "id": str(i),
        "messages": [{"role": "user", "content": prompt}, {"role": "assistant", "content": answer}],
        "source": f"f:{i + 1}",
    }


RECS = [
    _rec(0, "Where was Mara Quinn born?", "Lumen Bay."),
    _rec(1, "Where was Mara Quinn born ?", "She was born in Lumen Bay, a small town."),
    _rec(2, "What does Leo do for a living?", "He is a baker."),
    _rec(3, "陳怡君的興趣是什麼?", "她的興趣是賞鳥,每個週末都去。"),
    _rec(4, "Tell me a story about the harbour.", "x" * 100),
    _rec(5, "Where was Mara Quinn born??", "Lumen."),
]


def test_select_all():
    assert select_examples(RECS) == RECS
    assert select_examples(RECS, "all", n=2) == RECS


def test_select_longest():
    got = select_examples(RECS, "longest", n=3)
    assert [r["id"] for r in got] == ["1", "3", "4"]  # original order
    assert select_examples(RECS, "longest", n=100) == RECS


def test_select_diverse_deterministic_without_near_duplicates():
    a = select_examples(RECS, "diverse", n=10, seed=3)
    assert a == select_examples(RECS, "diverse", n=10, seed=3)
    mara = [r for r in a if "Mara" in r["messages"][0]["content"]]
    assert len(mara) == 1  # the three Mara prompts are near-duplicates
    assert len(a) == 4
    assert [r["id"] for r in a] == sorted(r["id"] for r in a)
    seeds = {tuple(r["id"] for r in select_examples(RECS, "diverse", n=10, seed=s)) for s in range(10)}
    assert len(seeds) > 1  # which Mara prompt survives depends on the seed
    assert len(select_examples(RECS, "diverse", n=2, seed=0)) == 2


def test_select_bad_arguments():
    with pytest.raises(DojoError, match="unknown selection"):
        select_examples(RECS, "random", n=2)
    with pytest.raises(DojoError, match="n >= 1"):
        select_examples(RECS, "longest")


# --- demo world --------------------------------------------------------------------------------


def test_demo_world_sft_files_load(tmp_path, tok):
    write_demo_world(tmp_path, DemoConfig(people=20))
    sft = tmp_path / "data" / "sft"
    train = load_sft_records(sft / "train.jsonl")
    heldout = load_sft_records(sft / "heldout.jsonl")
    assert train and heldout
    # the few chat examples (manners, refusals) count 8 times, the many questions once
    assert {r["weight"] for r in train if r["id"].startswith("chat-")} == {8}
    assert {r["weight"] for r in train if r["id"].startswith("qa-")} == {1}
    assert len(load_sft_records(sft)) == len(train) + len(heldout)
    for rec in train[:50]:
        enc = encode_example(tok, rec["messages"])
        assert enc is not None and enc.ids[:-1] == encode_template(tok, render_chat(rec["messages"]))


# -- length bucketing -----------------------------------------------------------------------


def _padding(lengths: np.ndarray, order: EpochOrder, batch: int, steps: int) -> float:
    padded = real = 0
    for _ in range(steps):
        rows = lengths[order.take(batch)]
        padded += rows.max() * len(rows)
        real += rows.sum()
    return 1 - real / padded


def test_bucketed_order_pads_less_and_sees_each_example_once_per_epoch():
    rng = np.random.default_rng(0)
    lengths = rng.integers(10, 400, size=1000)
    batch = 16
    plain = EpochOrder(len(lengths), seed=3)
    bucketed = EpochOrder(len(lengths), seed=3, lengths=lengths, batch=batch)
    epoch = len(lengths) // batch
    assert _padding(lengths, bucketed, batch, epoch) < 0.5 * _padding(lengths, plain, batch, epoch)
    # one epoch: every example at most once, all but the n % batch dropped ones
    order = EpochOrder(len(lengths), seed=3, lengths=lengths, batch=batch)
    first = order.take(epoch * batch)
    assert len(set(first.tolist())) == len(first) == len(lengths) // batch * batch
    assert order.state.epoch == 0
    # the next epoch starts aligned on a batch and in a different order
    second = order.take(epoch * batch)
    assert order.state.epoch == 1 and not np.array_equal(first, second)
    # resumable: a fresh order from the saved position continues identically
    again = EpochOrder(len(lengths), seed=3, lengths=lengths, batch=batch, state=SamplerState(1, 160))
    order2 = EpochOrder(len(lengths), seed=3, lengths=lengths, batch=batch)
    order2.take(epoch * batch + 160)
    assert np.array_equal(again.take(48), order2.take(48))


def test_bucketing_keeps_tiny_datasets_whole():
    order = EpochOrder(5, seed=0, lengths=np.arange(5), batch=16)  # fewer items than a batch
    assert sorted(order.take(5).tolist()) == [0, 1, 2, 3, 4]


@pytest.mark.parametrize(
    "roles, needle",
    [
        (["assistant"], "must start with a user turn (message 1"),
        (["system", "assistant"], "must start with a user turn (message 2"),
        (["user", "assistant", "assistant"], "two assistant turns in a row (message 3"),
        (["user", "user", "assistant"], "two user turns in a row (message 2"),
        (["user", "system", "assistant"], "a system message only comes first (message 2"),
    ],
)
def test_malformed_turn_order_is_refused_with_file_and_line(tmp_path, roles, needle):
    """Issue 19, item 16: such a conversation was trained on silently."""
    good = {"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]}
    bad = {"messages": [{"role": r, "content": f"{r} text"} for r in roles]}
    path = tmp_path / "d.jsonl"
    path.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n")
    with pytest.raises(DojoError, match=rf"d.jsonl:2: .*{re.escape(needle)}"):
        load_sft_records(path)
