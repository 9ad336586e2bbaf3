"""Reference bands: the scaling-law fit recovers a known law, the verdict fires each way, and on the
demo world the band fitted to other runs holds the judged run's validation points (CLI and engine),
with the run's own first half, or the Chinchilla lab's runs carried over by bits per byte, as fallbacks."""

import json
import math

import numpy as np
import pytest

from engine import checkpoint as ckpt
from engine import insight
from engine.errors import DojoError
from engine.insight import bands
from engine.io.store import Store
from tests.conftest import TINY, run_events

LAW = {"E": 1.7, "A": 400.0, "alpha": 0.34, "B": 410.0, "beta": 0.28}


def _synthetic(ns, ds, noise=0.0, seed=0):
    rng = np.random.default_rng(seed)
    return [(n, d, float(bands.predict(LAW, n, d)) * math.exp(noise * rng.standard_normal())) for n in ns for d in ds]


def test_fit_recovers_a_known_law_on_a_held_out_size():
    ds = np.geomspace(1e4, 1e7, 12)
    law = bands.fit_law(_synthetic([1e4, 3e4, 1e5, 3e5], ds, noise=0.005))
    assert law["fit_points"] == 48 and not law["one_n"]
    for n in (5e4, 2e5):  # sizes the fit never saw
        want = bands.predict(LAW, n, ds)
        got = bands.predict(law, n, ds)
        assert np.max(np.abs(got / want - 1)) < 0.03
    assert law["sigma"] == pytest.approx(0.005, rel=0.5)  # the residual spread is the noise put in
    assert law["E"] >= 0 and law["A"] >= 0 and law["B"] >= 0


def test_fit_with_one_size_is_a_law_in_tokens_only():
    ds = np.geomspace(1e3, 1e6, 10)
    law = bands.fit_law(_synthetic([2e4], ds))
    assert law["one_n"] and law["A"] == 0 and law["alpha"] == 0
    assert np.max(np.abs(bands.predict(law, 2e4, ds) / bands.predict(LAW, 2e4, ds) - 1)) < 0.01
    # extrapolation to 3x the tokens seen stays close
    assert float(bands.predict(law, 2e4, 3e6)) == pytest.approx(float(bands.predict(LAW, 2e4, 3e6)), rel=0.03)
    with pytest.raises(ValueError, match="at least 3"):
        bands.fit_law([(1e4, 1e3, 5.0), (1e4, 2e3, float("nan")), (1e4, 3e3, 4.0)])


def test_band_width_is_the_residual_spread_with_a_floor():
    law = {**LAW, "sigma": 0.0}
    lo, mid, hi = bands.band(law, 1e5, np.array([1e4, 1e5]), sigmas=2.0)
    assert np.allclose(hi / mid, 1.03) and np.allclose(lo / mid, 1 / 1.03)  # a perfect fit still shows a band
    lo, mid, hi = bands.band({**law, "sigma": 0.05}, 1e5, np.array([1e4]), sigmas=2.0)
    assert hi[0] / mid[0] == pytest.approx(math.exp(0.1)) and mid[0] / lo[0] == pytest.approx(math.exp(0.1))


def test_verdict_fires_each_way():
    t = [1000.0, 2000.0, 3000.0, 4000.0]
    b = {"tokens": [1000.0, 4000.0], "loss_low": [5.0, 3.0], "loss_high": [6.0, 4.0]}
    on = {"tokens": t, "loss": [5.5, 4.9, 4.2, 3.5]}
    assert bands.verdict(on, b)[0] == "on_track"
    assert bands.verdict({"tokens": t, "loss": [5.5, 5.2, 5.0, 4.8]}, b)[0] == "too_slow"
    assert bands.verdict({"tokens": t, "loss": [5.5, 4.5, 3.2, 2.5]}, b)[0] == "ahead"
    v, reason = bands.verdict({"tokens": t, "loss": [5.5, 4.5, 3.6, 4.2]}, b)
    assert v == "diverging" and "rose to 4.200 after reaching 3.600" in reason
    assert bands.verdict({"tokens": t, "loss": [5.5, float("nan")]}, b)[0] == "diverging"
    assert bands.verdict({"tokens": [], "loss": []}, b)[0] == "not_enough_data"
    assert bands.verdict(on, None)[0] == "not_enough_data"
    # one point above among the last two is not enough to call a run slow
    assert bands.verdict({"tokens": t, "loss": [5.5, 4.9, 4.6, 3.6]}, b)[0] == "on_track"
    assert bands.inside(on, b) == 4


def _pretrain(ws, **sets):
    from engine.train import pretrain

    return run_events(pretrain.run(ws, pretrain.make_config(sets={**TINY, **sets})))[-1].result


def _cli(argv, capsys):
    from engine.cli import main

    code = main(argv)
    out = capsys.readouterr()
    return code, out


def test_demo_world_band_from_other_runs(ws, capsys, one_thread):
    for width, steps in ((16, 40), (48, 40), (32, 50)):  # the judged (latest) run sits between the others
        last = _pretrain(ws, n_embd=width, max_steps=steps)
    code, out = _cli(["insight", "bands", str(ws.root), "--json", "--quiet"], capsys)
    assert code == 0, out.err
    r = json.loads(out.out.strip().splitlines()[-1])
    for key in (
        "run",
        "params",
        "source",
        "law",
        "fit_points",
        "tokens",
        "loss_low",
        "loss_mid",
        "loss_high",
        "bpb_low",
        "bpb_mid",
        "bpb_high",
        "verdict",
        "reason",
        "last",
        "steps",
        "tokens_per_step",
    ):
        assert key in r, key
    assert r["status"] == "done" and r["run"] == last["run"] and r["source"] == "workspace"
    assert r["fit_points"] == 8  # the other two runs' validation points at steps 10..40; the judged run left out
    meta = ckpt.read_meta(ckpt.list_checkpoints(ws.run_dir(last["run"]) / "checkpoints")[-1])
    assert r["params"] == meta["params"]  # every parameter, the tied embedding once: the model's own count
    assert r["tokens_per_step"] == TINY["batch_size"] * TINY["block_size"]
    assert len(r["tokens"]) == 50 and r["tokens"][0] == 10 * 128 and r["tokens"][-1] == pytest.approx(50 * 128)
    assert r["steps"][-1] == pytest.approx(50)
    assert all(lo < mid < hi for lo, mid, hi in zip(r["loss_low"], r["loss_mid"], r["loss_high"]))
    assert r["loss_mid"][0] > r["loss_mid"][-1]  # the law falls with tokens
    with Store(ws.db_path) as store:
        val = [(s, v) for s, v in store.metrics(last["run"], "val/loss") if s > 0]
        bpb = dict(store.metrics(last["run"], "val/bpb"))
    assert r["val"]["loss"] == [v for _, v in val] and r["last"]["loss"] == last["val_loss"]
    assert r["last"]["bpb"] == pytest.approx(bpb[50], rel=1e-6)
    assert r["bpb_mid"][-1] / r["loss_mid"][-1] == pytest.approx(bpb[50] / last["val_loss"], rel=1e-6)
    assert r["inside"] >= len(val) / 2  # most of the judged run's validation points lie in the band
    assert r["verdict"] in bands.VERDICTS and r["reason"]

    # the band fitted to the two others, evaluated at the judged run's tokens, holds its validation points
    law = r["law"]
    mid = bands.predict(law, r["params"], [s * 128 for s, _ in val])
    assert np.median(np.abs(np.log([v for _, v in val] / mid))) < 0.05

    code, out = _cli(["insight", "bands", str(ws.root), "--quiet"], capsys)
    assert code == 0 and "verdict:" in out.out and "reference: workspace" in out.out

    # a run at a tenth of the learning rate falls behind its peers: too slow
    slow = _pretrain(ws, n_embd=32, max_steps=50, lr=3e-4)
    s = run_events(insight.run("bands", ws))[-1].result
    assert s["run"] == slow["run"] and s["fit_points"] == 4 + 4 + 5  # the run judged before is now a peer
    assert s["verdict"] == "too_slow" and "above the band" in s["reason"]
    # and judged by name, the first run still sits in the band of the others
    again = run_events(insight.run("bands", ws, insight.make_config("bands", sets={"run": r["run"]})))[-1].result
    assert again["fit_points"] == 4 + 4 + 5 and again["inside"] >= len(val) / 2


def test_one_run_is_judged_against_its_own_first_half(ws, one_thread):
    r = _pretrain(ws, max_steps=60)
    res = run_events(insight.run("bands", ws, insight.make_config("bands", sets={"points": "20"})))[-1].result
    assert res["run"] == r["run"] and res["source"] == "self"
    assert res["fit_points"] == 3  # steps 10, 20, 30 of 60
    assert len(res["tokens"]) == 20 and res["verdict"] in bands.VERDICTS
    assert res["law"]["A"] == 0 and res["law"]["alpha"] == 0  # one size: a law in tokens only


def test_chinchilla_report_is_carried_over_by_bits_per_byte(ws, one_thread):
    r = _pretrain(ws, max_steps=40)
    # a Chinchilla lab report as the lab leaves it: numbers.json rows and the scratch database
    folder = ws.root / "labs" / "chinchilla-20250101-000000"
    (folder / "scratch").mkdir(parents=True)
    rows = [
        {"params": n, "tokens": d, "val_loss": float(bands.predict(LAW, n, d))}
        for n in (2e4, 5e4, 1e5)
        for d in (2e4, 6e4)
    ]
    (folder / "numbers.json").write_text(json.dumps({"runs": rows}), encoding="utf-8")
    with Store(folder / "scratch" / "dojo.sqlite") as store:
        store.create_run("pretrain-x", "pretrain", {}, "")
        store.log_metrics("pretrain-x", 10, {"val/loss": 4.0, "val/bpb": 2.0})  # 0.5 bit per byte per nat
    res = run_events(insight.run("bands", ws))[-1].result
    assert res["source"] == "chinchilla" and res["fit_points"] == 6  # the lab's six runs; no other workspace run
    with Store(ws.db_path) as store:
        mine = dict(store.metrics(r["run"], "val/bpb"))[40] / dict(store.metrics(r["run"], "val/loss"))[40]
    k = 0.5 / mine
    # the fitted law reproduces the lab's losses in this tokenizer's units, at its tokens
    for row in rows:
        got = float(bands.predict(res["law"], row["params"], row["tokens"] / k))
        assert got == pytest.approx(row["val_loss"] * k, rel=0.03)


def test_no_pretraining_run_is_a_clear_error(ws, capsys):
    code, out = _cli(["insight", "bands", str(ws.root), "--json", "--quiet"], capsys)
    assert code != 0 and "no pretraining run" in out.err and str(ws.root) in out.err
    _pretrain(ws, max_steps=10)
    with pytest.raises(DojoError, match="no pretraining run 'nope'"):
        run_events(insight.run("bands", ws, insight.make_config("bands", sets={"run": "nope"})))
