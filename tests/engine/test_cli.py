"""lmdojo-cli: bad input exits 2 with one `error:` line naming the problem; the success paths once."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from engine.cli import main
from tests.conftest import TINY, cli, tiny_sets

TINY_SETS = tiny_sets()
PRETRAIN_KEYS = {"run", "checkpoint", "steps", "tokens", "tokens_per_s", "vocab_size", "val_loss", "final_train_loss"}


pytestmark = pytest.mark.usefixtures("one_thread")


def assert_bad_input(result, *needles):
    rc, out, err = result
    assert "Traceback" not in err + out
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error:"), err
    for n in needles:
        assert str(n) in lines[0], f"{n!r} not in {lines[0]!r}"
    assert rc == 2, (rc, err)
    return lines[0]


def last_json(out: str) -> dict:
    return json.loads(out.strip().splitlines()[-1])


@pytest.fixture
def empty_ws(tmp_path, capsys):
    """A workspace made by `init` (no data, no tokenizer)."""
    rc, _, _ = cli(capsys, "init", tmp_path / "empty")
    assert rc == 0
    return tmp_path / "empty"


@pytest.fixture(scope="module")
def trained(demo_ws_template, tmp_path_factory):
    """The tokenized demo workspace with one tiny pretraining run: (folder, pretrain's JSON)."""
    root = tmp_path_factory.mktemp("cli") / "ws"
    shutil.copytree(demo_ws_template, root)
    before = torch.get_num_threads()
    out, err = io.StringIO(), io.StringIO()  # a module fixture gets no capsys
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        rc = main(["pretrain", str(root), "--json", "--set", "max_steps=12", *TINY_SETS])
    torch.set_num_threads(before)
    assert rc == 0, err.getvalue()
    return root, last_json(out.getvalue())


# -- workspace ---------------------------------------------------------------------------------
def test_missing_workspace(tmp_path, capsys):
    missing = tmp_path / "nowhere"
    assert_bad_input(cli(capsys, "pretrain", missing, "--set", "max_steps=1"), missing, "not found")
    assert_bad_input(cli(capsys, "runs", missing), missing)


def test_folder_that_is_not_a_workspace(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("hi")
    assert_bad_input(cli(capsys, "generate", tmp_path, "--run", "x", "--prompt", "a"), tmp_path, "dojo.toml")


def test_init_refuses_a_non_empty_folder(tmp_path, capsys):
    (tmp_path / "notes.txt").write_text("hi")
    assert_bad_input(cli(capsys, "init", tmp_path), tmp_path, "not empty")
    assert not (tmp_path / "dojo.toml").exists()
    f = tmp_path / "notes.txt"
    assert_bad_input(cli(capsys, "init", f), f, "not a folder")


def test_init_twice(empty_ws, capsys):
    assert_bad_input(cli(capsys, "init", empty_ws), empty_ws, "already a workspace")


def test_init_replace_starts_a_workspace_over_and_deletes_nothing_else(tmp_path, capsys):
    from engine.io.store import Store

    ws = tmp_path / "ws"
    assert cli(capsys, "init", ws)[0] == 0
    (ws / "runs" / "old-run").mkdir()
    assert cli(capsys, "init", ws, "--replace")[0] == 0  # the README flow, run a second time
    assert (ws / "dojo.toml").is_file() and not (ws / "runs" / "old-run").exists()
    with Store(ws / "dojo.sqlite"):  # another process has it open: refused, nothing deleted
        (ws / "runs" / "kept").mkdir()
        assert_bad_input(cli(capsys, "init", ws, "--replace"), "close it first, then replace it")
    assert (ws / "runs" / "kept").is_dir()
    mine = tmp_path / "mine"  # not a workspace: never deleted
    mine.mkdir()
    (mine / "notes.txt").write_text("hi")
    assert_bad_input(cli(capsys, "init", mine, "--replace"), "not empty")
    assert (mine / "notes.txt").read_text() == "hi"
    assert cli(capsys, "init", tmp_path / "new", "--replace")[0] == 0  # nothing there yet: just created


def test_init_demo_with_zero_people(tmp_path, capsys):
    assert_bad_input(cli(capsys, "init", tmp_path / "w", "--demo", "--people", "0"), "people", "0")
    assert not (tmp_path / "w").exists()  # checked before anything is created


def test_init_demo_json(tmp_path, capsys):
    rc, out, _ = cli(capsys, "init", tmp_path / "w", "--demo", "--people", "8", "--stories", "2", "--json")
    assert rc == 0
    result = last_json(out)
    assert result["workspace"] == str(tmp_path / "w") and "demo" in result
    assert (tmp_path / "w" / "dojo.toml").is_file() and any((tmp_path / "w" / "data").rglob("*"))


def test_init_demo_biography_knobs(tmp_path, capsys):
    """--augment-versions, --no-permute, --no-fullname reach the generated biographies."""
    rc, _, _ = cli(
        capsys,
        "init",
        tmp_path / "w",
        "--demo",
        "--people",
        "6",
        "--stories",
        "2",
        "--augment-versions",
        "2",
        "--no-permute",
        "--no-fullname",
    )
    assert rc == 0
    world = json.loads((tmp_path / "w" / "data" / "world.json").read_text(encoding="utf-8"))
    assert world["config"] == {
        "seed": 0,
        "people": 6,
        "augment_versions": 2,
        "stories": 2,
        "permute": False,
        "fullname": False,
        "practice": True,
    }
    bios = [json.loads(x) for x in (tmp_path / "w" / "data" / "corpus" / "demo.jsonl").read_text("utf-8").splitlines()]
    bios = [b for b in bios if b["metadata"]["kind"] == "bio"]
    assert len(bios) == 6 * 2 * 2
    names = {p["id"]: p["name_en"] for p in world["people"]}
    for b in bios:
        facts = b["metadata"]["facts"]
        assert sorted(facts, key=lambda f: facts[f][0]) == world["fields"]  # not permuted
        if b["metadata"]["lang"] == "en":
            assert b["text"].count(names[b["metadata"]["person"]]) == 1  # named once: pronouns after
    rc, _, _ = cli(capsys, "init", tmp_path / "v", "--demo", "--people", "6", "--augment-versions", "21")
    assert rc != 0 and not (tmp_path / "v").exists()


# -- pretrain config -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "sets, needles",
    [
        (["max_step=5"], ["max_step", "did you mean 'max_steps'"]),
        (["frobnicate=1"], ["frobnicate", "unknown config key"]),
        (["max_steps=abc"], ["max_steps", "abc"]),
        (["max_steps=1.5"], ["max_steps", "1.5"]),
        (["compile=maybe"], ["compile", "maybe"]),
        (["lr=-1"], ["lr", "-1"]),
        (["lr=nan"], ["lr", "nan"]),
        (["max_steps=-3"], ["max_steps", "-3"]),
        (["dtype=fp16"], ["dtype", "fp16"]),
        (["preset=huge"], ["preset", "huge"]),
        (["n_embd=30", "n_head=4"], ["n_embd", "n_head", "30"]),
        (["device=cuda:x"], ["device", "cuda:x"]),
        (["max_steps"], ["--set", "key=value", "max_steps"]),
        (["=5"], ["--set", "key=value"]),
    ],
)
def test_pretrain_bad_set(empty_ws, capsys, sets, needles):
    argv = ["pretrain", empty_ws, "--set", "max_steps=1"]
    for s in sets:
        argv += ["--set", s]
    assert_bad_input(cli(capsys, *argv), *needles)
    assert not any((empty_ws / "runs").iterdir())


def test_pretrain_config_file_errors(empty_ws, tmp_path, capsys):
    missing = tmp_path / "missing.toml"
    assert_bad_input(cli(capsys, "pretrain", empty_ws, "--config", missing), missing, "not found")

    bad = tmp_path / "bad.toml"
    bad.write_text("max_steps = = 3\n")
    assert_bad_input(cli(capsys, "pretrain", empty_ws, "--config", bad), bad, "invalid TOML")

    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes('sample_prompts = ["Café"]\n'.encode("latin-1"))
    assert_bad_input(cli(capsys, "pretrain", empty_ws, "--config", latin1), latin1, "invalid TOML")

    unknown = tmp_path / "unknown.toml"
    unknown.write_text("max_steps = 3\nlearning_rate = 0.1\n")
    assert_bad_input(cli(capsys, "pretrain", empty_ws, "--config", unknown), "learning_rate", unknown)

    wrong_type = tmp_path / "type.toml"
    wrong_type.write_text('max_steps = "many"\n')
    assert_bad_input(cli(capsys, "pretrain", empty_ws, "--config", wrong_type), "max_steps", "many")

    assert_bad_input(cli(capsys, "pretrain", empty_ws, "--config", tmp_path), tmp_path)  # a folder


def test_pretrain_without_tokenizer(empty_ws, capsys):
    assert_bad_input(cli(capsys, "pretrain", empty_ws, "--set", "max_steps=1"), "tokenize")


def test_pretrain_without_budget(ws, capsys):
    line = assert_bad_input(cli(capsys, "pretrain", ws.root, *TINY_SETS), "max_steps", "max_minutes")
    assert "budget" in line
    assert not any(ws.runs_dir.iterdir())


def test_pretrain_resume_with_nothing_to_resume(ws, capsys):
    assert_bad_input(cli(capsys, "pretrain", ws.root, "--resume"), "nothing to resume")
    assert_bad_input(cli(capsys, "pretrain", ws.root, "--resume", "pretrain-nope"), "pretrain-nope")
    assert_bad_input(cli(capsys, "pretrain", ws.root, "--resume", "--config", "x.toml"), "--resume")


# -- success paths -----------------------------------------------------------------------------
def test_pretrain_json(trained):
    root, r = trained
    assert PRETRAIN_KEYS <= r.keys()
    assert r["steps"] == 12 and r["status"] == "done"
    assert r["tokens"] == 12 * TINY["batch_size"] * TINY["block_size"]
    assert r["vocab_size"] == 512 and r["tokens_per_s"] > 0
    assert isinstance(r["val_loss"], float) and 0 < r["val_loss"] < 10
    assert isinstance(r["final_train_loss"], float)
    assert Path(r["checkpoint"]).is_dir() and Path(r["checkpoint"]).name == "step_000012"
    assert Path(r["checkpoint"]).parent.parent == root / "runs" / r["run"]


def test_generate_greedy_and_seeded(trained, capsys):
    root, r = trained
    base = ["generate", root, "--run", r["run"], "--prompt", "Mara", "--json"]
    rc, out, err = cli(capsys, *base, "--greedy", "--max-new-tokens", "5")
    assert rc == 0, err
    g = last_json(out)
    assert isinstance(g["text"], str) and 1 <= len(g["token_ids"]) <= 5 and len(g["probs"]) == len(g["token_ids"])
    assert g["step"] == 12 and g["checkpoint"] == r["checkpoint"]
    assert cli(capsys, *base, "--greedy", "--max-new-tokens", "5")[1] == out  # greedy is deterministic

    def sample(seed):
        rc, out, _ = cli(
            capsys, *base, "--seed", seed, "--temperature", "2.0", "--top-k", "0", "--max-new-tokens", "12"
        )
        assert rc == 0
        return last_json(out)["token_ids"]

    a, b = sample(1), sample(1)
    assert a == b
    assert any(sample(s) != a for s in (2, 3, 4))  # the seed matters

    rc, out, _ = cli(
        capsys,
        "generate",
        root,
        "--run",
        r["checkpoint"],
        "--prompt",
        "Mara",
        "--greedy",
        "--max-new-tokens",
        "5",
        "--json",
    )  # a checkpoint folder works as --run too
    assert rc == 0 and last_json(out)["token_ids"] == g["token_ids"]


@pytest.mark.parametrize(
    "args, needles",
    [
        (["--top-p", "0"], ["--top-p", "0"]),
        (["--top-p", "1.5"], ["--top-p", "1.5"]),
        (["--temperature", "-1"], ["--temperature", "-1"]),
        (["--max-new-tokens", "0"], ["--max-new-tokens", "0"]),
        (["--repetition-penalty", "0"], ["--repetition-penalty"]),
        (["--device", "cuda:x"], ["--device", "cuda:x"]),
    ],
)
def test_generate_bad_sampling_values(trained, capsys, args, needles):
    root, r = trained
    assert_bad_input(cli(capsys, "generate", root, "--run", r["run"], "--prompt", "Mara", *args), *needles)


def test_generate_unknown_run(trained, capsys):
    root, _ = trained
    assert_bad_input(cli(capsys, "generate", root, "--run", "nope", "--prompt", "Mara"), "nope")


def test_argparse_errors_are_one_line(trained, capsys):
    root, _ = trained
    assert_bad_input(cli(capsys, "generate", root, "--prompt", "Mara"), "--run")
    assert_bad_input(cli(capsys, "generate", root, "--run", "x", "--prompt", "a", "--top-k", "many"), "--top-k", "many")
    assert_bad_input(cli(capsys, "frobnicate", root), "frobnicate")


# -- the real console script: exit codes as a shell sees them -------------------------------------
def _script() -> str:
    exe = Path(sys.executable).parent / "lmdojo-cli"
    return str(exe) if exe.exists() else shutil.which("lmdojo-cli")


def test_console_script_exit_codes(tmp_path):
    script = _script()
    assert script, "lmdojo-cli is not installed"
    missing = tmp_path / "nowhere"
    p = subprocess.run([script, "runs", str(missing)], capture_output=True, text=True, timeout=60, check=False)
    assert p.returncode == 2 and p.stdout == ""
    assert p.stderr.count("\n") == 1 and p.stderr.startswith("error:") and str(missing) in p.stderr

    ws = tmp_path / "w"
    assert subprocess.run([script, "init", str(ws)], capture_output=True, timeout=60, check=False).returncode == 0
    p = subprocess.run(
        [script, "pretrain", str(ws), "--set", "max_step=3"], capture_output=True, text=True, timeout=120, check=False
    )
    assert p.returncode == 2 and "Traceback" not in p.stderr
    assert p.stderr.splitlines() == ["error: unknown config key 'max_step' in --set; did you mean 'max_steps'?"]


def test_seeds_and_token_counts_out_of_range_are_one_line(ws, capsys):
    """Issue 19, items 13 and 14: a seed beyond 64 bits and an endless generation are refused."""
    from engine.generate import MAX_NEW_TOKENS
    from engine.train import pretrain
    from tests.conftest import TINY, run_events

    run = run_events(pretrain.run(ws, pretrain.make_config(sets={**TINY, "max_steps": "2"})))[-1].result["run"]
    for argv, needle in (
        (["pretrain", str(ws.root), "--set", f"seed={2**70}", "--set", "max_steps=1"], "seed must be between 0"),
        (["generate", str(ws.root), "--run", run, "--prompt", "a", "--seed", str(2**64)], "--seed"),
        (
            ["generate", str(ws.root), "--run", run, "--prompt", "a", "--max-new-tokens", "100000000"],
            f"(1 to {MAX_NEW_TOKENS})",
        ),
    ):
        with pytest.raises(SystemExit) if "--seed" in argv else contextlib.nullcontext():
            assert main(argv) == 2
        err = capsys.readouterr().err.strip()
        assert needle in err and len(err.splitlines()) <= 2, err  # argparse adds its usage line


def test_generation_reports_its_progress(ws):
    from engine.generate import SamplingConfig, generate
    from engine.model import GPT, GPTConfig
    from engine.tokenizer import load_tokenizer

    tok = load_tokenizer(ws.tokenizer_path)
    model = GPT(GPTConfig(vocab_size=tok.get_vocab_size(), block_size=16, n_layer=1, n_head=2, n_embd=16))
    seen = []
    out = generate(model, tok, "Hello", SamplingConfig(greedy=True, max_new_tokens=40), progress=seen.append)
    assert seen == list(range(1, len(seen) + 1)) and len(seen) >= len(out.token_ids) >= 1
