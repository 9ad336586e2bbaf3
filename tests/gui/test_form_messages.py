"""A config error as a form shows it: labels instead of config keys, in the app's language."""

import pytest

from engine.config import PretrainConfig, build_config
from engine.errors import ConfigError
from gui.labels import config_label, form_message


def engine_message(**values) -> str:
    with pytest.raises(ConfigError) as e:
        build_config(PretrainConfig, values, None, None, "form")
    return str(e.value)


@pytest.mark.parametrize(
    "values, expected",
    [
        ({"n_embd": 100, "n_head": 3}, "Width (100) must be a multiple of Attention heads (3)"),
        ({"n_embd": 96, "n_head": 32}, "rotary"),
        ({"n_experts": 1}, "must be 0 (a dense model) or at least 2"),
        ({"n_experts": 2, "expert_top_k": 3}, "must not exceed"),
        ({"lr": -1.0}, "must be at least"),
        ({"lr": float("nan")}, "must be a finite number"),
    ],
)
def test_every_check_of_the_model_reads_in_labels(qapp, values, expected):
    raw = engine_message(**values)
    shown = form_message(raw)
    assert expected in shown
    keys = [k for k in ("n_embd", "n_head", "n_experts", "expert_top_k", "lr") if k in raw]
    assert keys and not any(k in shown for k in keys if "_" in k), shown  # no snake_case key is left
    assert any(config_label(k) in shown for k in keys), shown


def test_an_unknown_message_keeps_its_words_with_labels_for_its_keys(qapp):
    assert form_message("max_steps and warmup_steps disagree") == (
        f"{config_label('max_steps')} and {config_label('warmup_steps')} disagree"
    )


def test_the_form_message_is_chinese_under_the_chinese_translator(qapp):
    from gui.app import install_translator

    raw = engine_message(n_embd=100, n_head=3)
    translators = install_translator(qapp, "zh_TW")
    try:
        assert translators
        shown = form_message(raw)
        assert shown.startswith(config_label("n_embd")) and "n_head" not in shown
        assert not any(w in shown for w in ("must", "multiple")), shown
    finally:
        for t in translators:
            qapp.removeTranslator(t)
