"""Chat generation: the template, the end-of-turn bias, stop strings, per-token alternatives."""

import json

import torch

from engine.cli import main
from engine.generate import SamplingConfig, chat, generate
from engine.model import GPT, GPTConfig
from engine.tokenizer import END, special_id, train_tokenizer, without_cut_character
from engine.train import pretrain
from tests.conftest import TINY, run_events

TOK = train_tokenizer(["Hello there, how are you today? 你好，今天好嗎？"] * 30, vocab_size=300)


def model():
    torch.manual_seed(0)
    return GPT(GPTConfig(vocab_size=TOK.get_vocab_size(), block_size=64, n_layer=2, n_head=2, n_embd=32))


MSG = [{"role": "user", "content": "Hello?"}]


def test_a_strong_end_bias_ends_the_answer_at_once_and_a_negative_one_never():
    m = model()
    out = chat(m, TOK, MSG, SamplingConfig(greedy=True, eos_bias=100.0, max_new_tokens=10))
    assert out.stopped and out.token_ids == [] and out.text == ""
    out = chat(m, TOK, MSG, SamplingConfig(greedy=True, eos_bias=-100.0, max_new_tokens=10))
    assert not out.stopped and len(out.token_ids) == 10 and special_id(TOK, END) not in out.token_ids


def test_stop_strings_cut_the_text():
    m = model()
    free = generate(m, TOK, "Hello", SamplingConfig(greedy=True, max_new_tokens=12))
    assert len(free.text) > 2
    stop = free.text[2:4]
    cut = generate(m, TOK, "Hello", SamplingConfig(greedy=True, max_new_tokens=12, stop_strings=(stop,)))
    assert cut.stopped and stop not in cut.text and free.text.startswith(cut.text)


def test_alternatives_are_the_top_tokens():
    m = model()
    out = generate(m, TOK, "Hello", SamplingConfig(greedy=True, max_new_tokens=5, alternatives=5))
    assert len(out.alternatives) == 5
    for chosen, prob, alts in zip(out.token_ids, out.probs, out.alternatives):
        assert len(alts) == 5 and alts[0][0] == chosen  # greedy picks the most likely
        assert [p for _, p in alts] == sorted((p for _, p in alts), reverse=True)


def test_cli_chat(ws, capsys):
    r = run_events(pretrain.run(ws, pretrain.make_config(sets={**TINY, "max_steps": "3"})))[-1].result
    rc = main(
        [
            "chat",
            str(ws.root),
            "--run",
            r["run"],
            "--prompt",
            "Who are you?",
            "--system",
            "Be brief.",
            "--greedy",
            "--max-new-tokens",
            "4",
            "--alternatives",
            "3",
            "--json",
        ]
    )
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert rc == 0 and len(out["token_ids"]) <= 4 and len(out["alternatives"]) == len(out["token_ids"])


def test_an_answer_cut_inside_a_character_shows_no_replacement_character():
    from engine.tokenizer import _bytes_to_unicode

    first_byte = TOK.token_to_id(_bytes_to_unicode()[0xE4])  # the first of 你's three UTF-8 bytes
    m = model()
    out = generate(m, TOK, "Hello", SamplingConfig(greedy=True, max_new_tokens=1), bias={first_byte: 1000.0})
    assert out.token_ids == [first_byte] and not out.stopped
    assert TOK.decode(out.token_ids) == "\ufffd"  # what a plain decode shows
    assert out.text == ""  # the start of a character, cut off: nothing to show yet
    out = generate(m, TOK, "Hello", SamplingConfig(greedy=True, max_new_tokens=3), bias={first_byte: 1000.0})
    assert out.text == "\ufffd\ufffd"  # two broken characters stay broken; the cut third is held back
    ni = TOK.encode("你", add_special_tokens=False).ids
    assert without_cut_character(TOK, ni, TOK.decode(ni)) == "你"  # a whole character is kept
