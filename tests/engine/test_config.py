"""Config: precedence, coercion, validation that names the field, TOML round trip."""

import pytest

from engine.config import MODEL_PRESETS, PretrainConfig, build_config, parse_sets, read_toml, to_toml
from engine.errors import ConfigError


def make(toml=None, sets=None):
    return build_config(PretrainConfig, toml, sets, MODEL_PRESETS)


def test_precedence_defaults_preset_toml_set():
    assert make().n_embd == MODEL_PRESETS["tiny"]["n_embd"]
    assert make(sets={"preset": "small"}).n_embd == 512
    assert make({"preset": "small", "n_embd": 256}).n_embd == 256
    assert make({"n_embd": 256}, {"n_embd": "64"}).n_embd == 64


def test_coercion_of_set_strings():
    c = make(sets={"max_steps": "1_000", "lr": "1e-3", "compile": "yes", "sample_prompts": '["a", "b"]'})
    assert (c.max_steps, c.lr, c.compile, c.sample_prompts) == (1000, 1e-3, True, ["a", "b"])


@pytest.mark.parametrize(
    "sets, match",
    [
        ({"max_step": "5"}, "unknown config key 'max_step'.*did you mean 'max_steps'"),
        ({"max_steps": "abc"}, "max_steps .* must be int"),
        ({"lr": "-1"}, "lr must be >= 0"),
        ({"lr": "nan"}, "lr must be a finite number"),
        ({"n_embd": "100", "n_head": "3"}, "divisible by n_head"),
        ({"preset": "huge"}, "preset must be one of"),
        ({"keep_last": "1"}, "keep_last must be >= 2"),
        ({"dtype": "fp8"}, "dtype must be one of"),
        ({"n_experts": "1"}, "n_experts"),
    ],
)
def test_bad_values_name_the_field(sets, match):
    with pytest.raises(ConfigError, match=match):
        make(sets=sets)


def test_parse_sets_and_toml_errors(tmp_path):
    assert parse_sets(["a=1", "b = x=y"]) == {"a": "1", "b": " x=y"}
    with pytest.raises(ConfigError, match="key=value"):
        parse_sets(["novalue"])
    bad = tmp_path / "bad.toml"
    bad.write_text("lr = = 3")
    with pytest.raises(ConfigError, match="bad.toml: invalid TOML"):
        read_toml(bad)
    with pytest.raises(ConfigError, match="not found"):
        read_toml(tmp_path / "missing.toml")


def test_toml_round_trip(tmp_path):
    c = make(sets={"sample_prompts": '["她說「你好」", "x\\"y"]', "max_minutes": "2.5"})
    p = tmp_path / "c.toml"
    p.write_text(to_toml(c), encoding="utf-8")
    assert make(read_toml(p)) == c
