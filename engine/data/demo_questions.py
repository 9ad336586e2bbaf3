"""The demo world's questions: single-fact questions about its people (held out or trained on) and
the unsafe requests, as chat prompts. Evaluation, judges, labs and policy optimisation ask them."""

from __future__ import annotations

import json
import random
from pathlib import Path

from engine.data.demo import fact_value
from engine.errors import DojoError
from engine.io.workspace import Workspace


def question_file(ws: Workspace, split: str) -> Path:
    """The demo's QA file of `split`: data/rl/practice.jsonl, else data/sft/SPLIT.jsonl (a workspace
    made before there were practice people has no practice file)."""
    return ws.data_dir / ("rl" if split == "practice" else "sft") / f"{split}.jsonl"


def load_world(ws: Workspace) -> dict:
    """data/world.json, the demo's ground truth, checked for what its readers use: a `people` list
    (each with an `id`) and a `fields` list. A file someone edited is refused in one line."""
    path = ws.data_dir / "world.json"
    try:
        world = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DojoError(
            f"no demo world in {ws.root} ({path} is missing; it comes with lmdojo-cli init --demo)"
        ) from None
    except (OSError, UnicodeDecodeError) as e:
        raise DojoError(f"{path}: cannot be read ({e})") from None
    except json.JSONDecodeError as e:
        raise DojoError(f"{path}:{e.lineno}: not JSON ({e.msg})") from None
    if not isinstance(world, dict):
        raise DojoError(f"{path}: not a JSON object")
    for key in ("people", "fields"):
        if not isinstance(world.get(key), list):
            raise DojoError(
                f"{path}: field {key!r} is missing or not a list (lmdojo-cli init --demo --replace remakes it)"
            )
    for i, person in enumerate(world["people"]):
        if not isinstance(person, dict) or "id" not in person:
            raise DojoError(f"{path}: people[{i}] has no 'id'")
    return world


def demo_questions(ws: Workspace, split: str = "heldout", limit: int = 0) -> list[dict]:
    """The demo's single-fact questions: {"messages" (up to the question), "field", "lang", "person",
    "answer" (the right one), "fact" (its value)} from data/sft/heldout.jsonl (people no training
    set asks about), data/sft/train.jsonl (SFT's people) or data/rl/practice.jsonl (the people policy
    optimisation practises on); with `limit`, that many spread evenly over the file."""
    path = question_file(ws, split)
    world = ws.data_dir / "world.json"
    if split == "practice" and world.is_file() and not path.is_file():
        raise DojoError(f"the demo world in {ws.root} has no practice people (it was made before they existed)")
    if not path.is_file() or not world.is_file():
        raise DojoError(f"no demo QA set in {ws.root} (it comes with lmdojo-cli init --demo)")
    people = {p["id"]: p for p in load_world(ws)["people"]}
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as e:
            raise DojoError(f"{path}:{n}: not a JSON record ({e.msg})") from None
        if not isinstance(rec, dict):
            raise DojoError(f"{path}:{n}: not a JSON object")
        md = rec.get("metadata", {})
        if md.get("kind") != "qa" or len(md.get("fields", [])) != 1 or md.get("person") not in people:
            continue
        out.append(
            {
                "messages": rec["messages"][:-1],
                "field": md["fields"][0],
                "lang": md["lang"],
                "person": md["person"],
                "answer": rec["messages"][-1]["content"],
                "fact": fact_value(people[md["person"]], md["fields"][0], md["lang"]),
            }
        )
    if limit and len(out) > limit:  # a seeded sample over the file: every person, field and language
        out = [out[i] for i in sorted(random.Random(f"demo-questions:{split}").sample(range(len(out)), limit))]
    return out


def demo_prompts(ws: Workspace, split: str) -> tuple[list[list[dict]], list[list[dict]]]:
    """(questions about people, unsafe requests) as chat prompts. train: the practice people's
    questions (the SFT people's in a workspace made before there were practice people), the unsafe
    requests of the SFT set and those kept for practice in policy optimisation (in no file);
    heldout: the held-out people's questions and unsafe requests no training file or practice set
    contains."""
    from engine.data import demo_texts as T

    practice = split == "train" and question_file(ws, "practice").is_file()
    qa = [q["messages"] for q in demo_questions(ws, "practice" if practice else split)]
    pool = (
        {lang: T.CHAT[lang]["unsafe"][0] + T.RL_UNSAFE[lang] for lang in T.CHAT}
        if split == "train"
        else T.HELDOUT_UNSAFE
    )
    both = [p for pair in zip(*(pool[lang] for lang in sorted(pool))) for p in pair]  # languages alternate
    return qa, [[{"role": "user", "content": p}] for p in both]


def heldout_questions(ws: Workspace, limit: int = 200) -> list[dict]:
    return demo_questions(ws, "heldout", limit)
