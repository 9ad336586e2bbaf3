"""The data verbs of lmdojo-cli: `clean` (a raw corpus through the cleaning steps of engine/data/clean.py)
and `tokenize` (train the byte-level BPE tokenizer and write token shards, engine/data/tokenize.py).
"""

from __future__ import annotations

import json

from engine.cli.common import config_args, emit, exit_code, run_job


def cmd_clean(args):
    from engine.config import parse_sets, read_toml
    from engine.data import clean
    from engine.io.workspace import Workspace

    ws = Workspace.open(args.workspace)
    sets = parse_sets(args.set)
    if args.source:
        sets["sources"] = json.dumps(args.source, ensure_ascii=False)
    for key in ("out", "reference", "workers"):
        if getattr(args, key) is not None:
            sets[key] = str(getattr(args, key))
    cfg = clean.make_config(read_toml(args.config) if args.config else None, sets, args.config or "config file")
    fin = run_job(args, lambda control: clean.run(ws, cfg, control))
    r = {k: v for k, v in fin.result.items() if k != "config"}
    lines = [
        f"{f['step']:>12}: {f['documents']:>8,} docs ({f['documents_pct']:5.1f}%)  {f['chars']:>11,} chars "
        f"({f['chars_pct']:5.1f}%)"
        for f in r.get("funnel", [])
    ]
    lines += [f"skipped {s['path']}: {s['reason']}" for s in r.get("skipped_inputs", [])]
    emit(args, {"status": fin.status, **r}, "\n".join(lines + [f"clean corpus: {r.get('out')}"]))
    return exit_code(fin.status)


def cmd_tokenize(args):
    from engine.config import TokenizerConfig, build_config, parse_sets, read_toml
    from engine.data import tokenize
    from engine.io.workspace import Workspace

    ws = Workspace.open(args.workspace)
    sets = parse_sets(args.set)
    if args.vocab_size is not None:
        sets["vocab_size"] = args.vocab_size
    cfg = build_config(
        TokenizerConfig, read_toml(args.config) if args.config else None, sets, toml_name=args.config or "config file"
    )
    fin = run_job(args, lambda control: tokenize.run(ws, cfg, control, force=args.force))
    r = {"status": fin.status, **fin.result}
    human = (
        f"tokenizer: {r.get('tokenizer')} ({r.get('vocab_size')} tokens); chars/token {r.get('chars_per_token')}; "
        f"{r.get('train_tokens')} train + {r.get('val_tokens')} val tokens"
    )
    emit(args, r, human)
    return exit_code(fin.status)


def add_data_parsers(add) -> None:
    s = add("clean", cmd_clean, "Clean raw text: normalise, rules, exact and near dedup, quality filter.")
    config_args(s)
    s.add_argument(
        "--source",
        action="append",
        metavar="PATH",
        help="file or folder to read (repeatable; default: WS/data/raw, else WS/data/corpus)",
    )
    s.add_argument("--out", help="output folder (default: WS/data/clean)")
    s.add_argument("--reference", help="folder of good text for the quality model (default: WS/data/reference)")
    s.add_argument("--workers", type=int, help="processes for the per-document steps")

    s = add("tokenize", cmd_tokenize, "Train the byte-level BPE tokenizer and write token shards.")
    config_args(s)
    s.add_argument("--vocab-size", type=int)
    s.add_argument(
        "--force",
        action="store_true",
        help="replace a tokenizer that runs were trained with (theirs stays in tokenizer/by-hash/)",
    )
