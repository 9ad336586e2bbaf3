"""The whole story: every stage once on the demo world, budgets from this machine's speed, and a
second run that resumes where the first stopped."""

from engine import story
from engine.data.demo import DemoConfig, write_demo_world
from engine.events import Control, Finished, Progress
from engine.io.workspace import Workspace
from engine.train.status import DONE, stage_status

SMALLEST = {"smallest": "true", "threads": "1"}


def test_budgets_follow_the_machine_and_the_minutes():
    cfg = story.make_config(sets={"minutes": "15"})
    slow = story.budgets(cfg, 2_000, 2048)  # 7.5 min × 60 × 2,000 tokens/s ÷ 2,048 tokens a step
    assert slow["pretrain"] == {"max_steps": 439, "max_minutes": 7.5, "preset": "tiny"}
    fast = story.budgets(cfg, 50_000, 2048)
    assert fast["pretrain"]["max_steps"] == 700  # never more than the README flow's
    assert fast["sft"] == {"max_steps": 600, "max_minutes": 1.8} and fast["rlhf"]["max_minutes"] == 3.0
    short = story.budgets(story.make_config(sets={"minutes": "4"}), 2_000, 2048)
    assert short["pretrain"]["max_steps"] == 117 and short["pretrain"]["max_minutes"] == 2.0


def test_the_story_runs_every_stage_and_resumes(tmp_path):
    ws = Workspace.create(tmp_path / "ws")
    write_demo_world(ws.root, DemoConfig(people=30, augment_versions=2, stories=20))
    control = Control()
    first = []
    for ev in story.run(ws, story.make_config(sets=SMALLEST), control):
        first.append(ev)
        if isinstance(ev, Progress) and ev.unit == "step" and ev.step == 3:
            control.cancel()  # stopped during pretraining (a closed window does the same)
    assert first[-1] == Finished("cancelled", first[-1].result) and first[-1].result["stopped_in"] == "pretrain"
    stopped_run = first[-1].result["chapters"]["pretrain"]["run"]
    assert [s for s in (stage_status(ws)[p] for p in ("data", "tokenizer"))] == [DONE, DONE]

    again = list(story.run(ws, story.make_config(sets=SMALLEST)))
    chapters = [e for e in again if isinstance(e, story.Chapter)]
    assert [(c.page, c.skipped) for c in chapters] == [
        ("data", True),
        ("tokenizer", True),
        ("pretrain", False),
        ("sft", False),
        ("rlhf", False),
    ]
    assert chapters[2].intro.startswith("Next-token prediction") and chapters[2].index == 3 and chapters[2].total == 5
    result = again[-1].result["chapters"]
    assert again[-1].status == "done" and result["pretrain"]["run"] == stopped_run  # resumed, not restarted
    assert result["pretrain"]["steps"] == 10 and result["sft"]["run"].startswith("sft-")
    assert result["rlhf"]["run"].startswith("grpo-") and "reward_after" in result["rlhf"]
    assert all(stage_status(ws)[p] == DONE for p in ("data", "tokenizer", "pretrain", "sft", "rlhf"))

    third = list(story.run(ws, story.make_config(sets=SMALLEST)))
    assert all(c.skipped for c in third if isinstance(c, story.Chapter)) and third[-1].status == "done"


def test_a_stage_another_job_is_running_is_not_started_twice(tmp_path, monkeypatch):
    """Two stories at once (or the app and a story) would train the same stage twice: the second stops
    with a message naming the stage."""
    import pytest

    from engine.errors import DojoError
    from engine.train import status

    ws = Workspace.create(tmp_path / "ws")
    monkeypatch.setattr(status, "stage_status", lambda ws: dict.fromkeys(status.PAGES, status.RUNNING))
    with pytest.raises(DojoError, match="Data: another job is running this stage"):
        list(story.run(ws, story.make_config(sets=SMALLEST)))
