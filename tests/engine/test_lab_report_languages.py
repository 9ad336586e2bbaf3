"""A lab report in two languages: each takes its half of every pair; without a Chinese font the Chinese
report shows the English plot (never boxes); a report from before there were two languages is shown
in English."""

from engine.labs import report as R
from tests.engine.lab_checks import PNG, untranslated


def _report(tmp_path):
    rep = R.Report(tmp_path, R.tr("A title", "標題"))
    rep.text(R.tr("The model learned every fact it saw.", "模型學會了它看過的每個事實。"))
    rep.table([R.tr("run", "執行"), "loss"], [[R.tr("dense model", "稠密模型"), 1.23456]])
    rep.plot("line", {R.tr("loss", "損失"): ([1, 2], [2.0, 1.0])}, R.tr("step", "步"), "loss")
    return rep.write({"loss": 1.23})


def test_each_language_takes_its_half(tmp_path):
    en = _report(tmp_path)
    zh = en.with_name("report.zh_TW.md").read_text(encoding="utf-8")
    assert "# A title" in en.read_text(encoding="utf-8") and "# 標題" in zh
    assert "| 稠密模型 | 1.235 |" in zh and "every fact" not in zh
    assert not untranslated(en)


def test_without_a_chinese_font_the_chinese_report_shows_the_english_plot(tmp_path, monkeypatch):
    monkeypatch.setattr(R, "cjk_font", lambda: None)
    en = _report(tmp_path)
    assert "(line.png)" in en.with_name("report.zh_TW.md").read_text(encoding="utf-8")
    assert not (tmp_path / "line.zh_TW.png").exists() and (tmp_path / "line.png").read_bytes()[:8] == PNG


def test_an_english_only_report_is_shown_in_english(tmp_path):
    old = tmp_path / "report.md"
    old.write_text("# Old\n", encoding="utf-8")
    assert R.report_in(old, "zh_TW") == old
    _report(tmp_path)
    assert R.report_in(old, "zh_TW").name == "report.zh_TW.md" and R.report_in(old, "en") == old


def test_the_check_finds_english_left_in_the_chinese_report(tmp_path):
    rep = R.Report(tmp_path, R.tr("A title", "標題"))
    rep.text("This sentence was never translated at all.")
    assert untranslated(rep.write()) == ["This sentence was never translated at all."]
