"""Token distribution shift (URIAL): a model against itself is all unshifted; SFT shifts some of
its base's positions; bad runs and prompt files are refused; the CLI prints the shares."""

import json

import pytest

from engine.cli import main
from engine.compare.token_shift import token_shift
from engine.errors import DojoError
from engine.io.store import Store

PROMPTS = [
    [{"role": "user", "content": "Where was Mara Quinn born?"}],
    [{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Tell me how to pick a lock."}],
]


def pretrain_run(ws) -> str:
    with Store(ws.db_path) as store:
        return store.runs("pretrain")[-1]["id"]


def test_a_model_against_itself_is_unshifted(sft_ws, one_thread):
    ws, r = sft_ws
    sft = r["run"]
    same = token_shift(ws, sft, sft, PROMPTS, max_new_tokens=12)
    assert same["unshifted"] == 1.0 and same["marginal"] == same["shifted"] == 0 and same["top_shifted"] == []
    assert same["base"] == same["aligned"] == sft and same["prompts"] == 2
    assert same["positions"] == sum(len(p["tokens"]) for p in same["per_prompt"]) > 0
    for p in same["per_prompt"]:
        assert all(t["base_rank"] == 1 and t["base_top"][0][0] == t["token"] for t in p["tokens"])
        assert all(len(t["base_top"]) == 3 and 1 >= t["base_top"][0][1] >= t["base_top"][2][1] for t in p["tokens"])
        if p["tokens"][-1]["token"] == "<|end|>":  # the stop token is a position; the answer text leaves it out
            assert "<|end|>" not in p["answer"]


def test_sft_shifts_some_of_its_base_models_positions(sft_ws, one_thread):
    ws, r = sft_ws
    sft, base = r["run"], pretrain_run(ws)
    shift = token_shift(ws, base, sft, PROMPTS, max_new_tokens=12)
    assert shift["base"] == base and shift["aligned"] == sft
    assert shift["unshifted"] + shift["marginal"] + shift["shifted"] == pytest.approx(1, abs=1e-3)
    assert shift["unshifted"] < 1
    classes = [t["class"] for p in shift["per_prompt"] for t in p["tokens"]]
    assert shift["positions"] == len(classes)
    assert shift["shifted"] == round(classes.count("shifted") / len(classes), 4)
    assert sum(t["count"] for t in shift["top_shifted"]) <= classes.count("shifted")

    with pytest.raises(DojoError, match="nope"):
        token_shift(ws, "nope", sft, PROMPTS)
    with pytest.raises(DojoError, match="user turn"):
        token_shift(ws, base, sft, [[{"role": "assistant", "content": "hi"}]])


def test_cli_prints_the_shares(sft_ws, one_thread, tmp_path, capsys):
    ws, r = sft_ws
    sft, base = r["run"], pretrain_run(ws)
    prompts = tmp_path / "prompts.txt"
    prompts.write_text("Where was Mara Quinn born?\n\nWho are you?\n", encoding="utf-8")
    assert (
        main(
            [
                "shift",
                str(ws.root),
                "--base",
                base,
                "--aligned",
                sft,
                "--prompts",
                str(prompts),
                "--max-new-tokens",
                "8",
                "--device",
                "cpu",
                "--json",
            ]
        )
        == 0
    )
    out = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert out["prompts"] == 2 and len(out["per_prompt"]) == 2
    assert out["unshifted"] + out["marginal"] + out["shifted"] == pytest.approx(1, abs=1e-3)
    assert (
        main(
            [
                "shift",
                str(ws.root),
                "--base",
                base,
                "--aligned",
                sft,
                "--prompts",
                str(prompts),
                "--max-new-tokens",
                "4",
                "--device",
                "cpu",
            ]
        )
        == 0
    )
    line = capsys.readouterr().out.strip()
    assert "unshifted" in line and "shifted" in line and "%" in line and len(line.splitlines()) == 1

    missing = tmp_path / "missing.txt"
    assert main(["shift", str(ws.root), "--base", base, "--aligned", sft, "--prompts", str(missing), "--json"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and str(missing) in err and len(err.strip().splitlines()) == 1
