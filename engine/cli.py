"""lmdojo-cli: every stage of LM Dojo from a terminal, one subcommand per stage.

Progress goes to stderr; with --json, stdout gets exactly one JSON object (the result)
on its last line. Bad input exits with code 2 and a one-line message. Under torchrun (several
processes training one model, engine.train.dist) only rank 0 prints progress and the result.
"""
from __future__ import annotations

import argparse
import json
import math
import signal
import sys
import time

from engine.errors import DojoError

EXIT_BAD_INPUT = 2
EXIT_FAILED = 1


def seed_arg(text: str) -> int:
    """A --seed: an integer from 0 to 2^63 - 1 (what torch and numpy take)."""
    from engine.config import SEED_MAX

    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
    if not 0 <= value <= SEED_MAX:
        raise argparse.ArgumentTypeError(f"must be between 0 and 2^63 - 1, got {value}")
    return value


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, no usage dump
        self.exit(EXIT_BAD_INPUT, f"error: {message} (see {self.prog} --help)\n")


def _dist():
    """engine.train.dist if a training stage loaded it (importing it here would load torch for
    every command)."""
    return sys.modules.get("engine.train.dist")


def _is_main() -> bool:
    return _dist() is None or _dist().current().is_main


def _emit(args, result: dict, human: str):
    if not _is_main():
        return
    if args.json:
        print(json.dumps(result, ensure_ascii=False, default=_json_default))
    else:
        print(human)


def _json_default(o):
    if isinstance(o, float) and not math.isfinite(o):
        return None
    return str(o)


def _clean(result: dict) -> dict:
    return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in result.items()}


def _fmt_time(s: float | None) -> str:
    if s is None:
        return "?"
    s = int(s)
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"


class _Printer:
    """Turns events into human progress lines on stderr, at most about once a second."""

    def __init__(self, quiet: bool = False):
        self.quiet, self.last, self.loss = quiet, 0.0, None

    def __call__(self, ev):
        from engine import events as E

        if self.quiet or not _is_main():
            return
        out = sys.stderr
        if isinstance(ev, E.Metrics):
            if "train/loss" in ev.values:
                self.loss = ev.values["train/loss"]
            held_out = {k[4:].replace("_", " "): v for k, v in ev.values.items() if k.startswith("val/")}
            if held_out:
                print(f"step {ev.step}: " + ", ".join(f"val {k} {v:.4f}" for k, v in held_out.items()), file=out)
        elif isinstance(ev, E.Progress):
            now = time.monotonic()
            if now - self.last >= 1.0:
                self.last = now
                total = f"/{ev.total_steps}" if ev.total_steps else ""
                loss = f" loss {self.loss:.4f}" if self.loss is not None else ""
                print(f"{ev.unit} {ev.step}{total}{loss}  {ev.tokens_per_s:,.0f} tok/s  elapsed {_fmt_time(ev.elapsed_s)}"
                      f"  ETA {_fmt_time(ev.eta_s)}", file=out)
        elif isinstance(ev, E.Sample):
            print(f"sample @ {ev.step}: {ev.prompt!r} → {ev.text!r}", file=out)
        elif isinstance(ev, E.Checkpoint):
            print(f"checkpoint: {ev.path}", file=out)
        elif isinstance(ev, E.Log):
            print(("warning: " if ev.level == "warning" else "") + ev.message, file=out)
        out.flush()


def _drive(events, printer) -> "object":
    """Run a stage's event stream; Ctrl-C asks it to stop (and checkpoint), a second Ctrl-C aborts."""
    from engine.events import Finished

    finished = None
    for ev in events:
        printer(ev)
        if isinstance(ev, Finished):
            finished = ev
    return finished


def _with_control(fn):
    """Install a SIGINT handler that cancels the job gracefully the first time."""
    import os

    from engine.events import Control

    control = Control()
    if int(os.environ.get("WORLD_SIZE", "1")) > 1:  # torchrun: every rank gets the Ctrl-C; let it end them all
        return fn(control)

    def on_sigint(signum, frame):
        if control.cancelled:
            raise KeyboardInterrupt
        print("\nstopping after this step (Ctrl-C again to abort)…", file=sys.stderr)
        control.cancel()

    old = signal.signal(signal.SIGINT, on_sigint)
    try:
        return fn(control)
    finally:
        signal.signal(signal.SIGINT, old)


# -- subcommands --------------------------------------------------------------------------------
def cmd_init(args):
    from engine.workspace import Workspace

    demo_cfg = None
    if args.demo:
        from engine.data.demo import DemoConfig

        demo_cfg = DemoConfig(seed=args.seed, people=args.people, augment_versions=args.augment_versions,
                              stories=args.stories, permute=args.permute, fullname=args.fullname)
        try:
            demo_cfg.validate()
        except ValueError as e:
            raise DojoError(str(e)) from None
    ws = Workspace.create(args.workspace)
    result = {"workspace": str(ws.root)}
    if demo_cfg is not None:
        from engine.data.pollute import write_demo

        result["demo"] = write_demo(ws.root, demo_cfg)
    _emit(args, result, f"workspace created: {ws.root}" + (" (demo world)" if args.demo else ""))
    return 0


def cmd_tokenize(args):
    from engine.config import TokenizerConfig, build_config, parse_sets, read_toml
    from engine.data import tokenize
    from engine.workspace import Workspace

    ws = Workspace.open(args.workspace)
    sets = parse_sets(args.set)
    if args.vocab_size is not None:
        sets["vocab_size"] = args.vocab_size
    cfg = build_config(TokenizerConfig, read_toml(args.config) if args.config else None, sets,
                       toml_name=args.config or "config file")
    fin = _with_control(lambda control: _drive(tokenize.run(ws, cfg, control, force=args.force), _Printer(args.quiet)))
    r = fin.result
    human = (f"tokenizer: {r.get('tokenizer')} ({r.get('vocab_size')} tokens); chars/token {r.get('chars_per_token')}; "
             f"{r.get('train_tokens')} train + {r.get('val_tokens')} val tokens")
    _emit(args, r, human)
    return 0 if fin.status == "done" else EXIT_FAILED


def cmd_clean(args):
    from engine.config import parse_sets, read_toml
    from engine.data import clean
    from engine.workspace import Workspace

    ws = Workspace.open(args.workspace)
    sets = parse_sets(args.set)
    if args.source:
        sets["sources"] = json.dumps(args.source, ensure_ascii=False)
    for key in ("out", "reference", "workers"):
        if getattr(args, key) is not None:
            sets[key] = str(getattr(args, key))
    cfg = clean.make_config(read_toml(args.config) if args.config else None, sets, args.config or "config file")
    fin = _with_control(lambda control: _drive(clean.run(ws, cfg, control), _Printer(args.quiet)))
    r = {k: v for k, v in fin.result.items() if k != "config"}
    lines = [f"{f['step']:>12}: {f['documents']:>8,} docs ({f['documents_pct']:5.1f}%)  {f['chars']:>11,} chars "
             f"({f['chars_pct']:5.1f}%)" for f in r.get("funnel", [])]
    lines += [f"skipped {s['path']}: {s['reason']}" for s in r.get("skipped_inputs", [])]
    _emit(args, {"status": fin.status, **r}, "\n".join(lines + [f"clean corpus: {r.get('out')}"]))
    return 0 if fin.status == "done" else EXIT_FAILED


def cmd_pretrain(args):
    from engine.config import parse_sets, read_toml
    from engine.train import pretrain
    from engine.workspace import Workspace

    ws = Workspace.open(args.workspace)
    sets = parse_sets(args.set)
    for key in ("preset", "device"):
        if getattr(args, key) is not None:
            sets[key] = getattr(args, key)
    if args.resume is not None:
        if args.config:
            raise DojoError("--resume continues a run with its saved config; use --set to change its budget")
        events = lambda control: pretrain.run(ws, None, control, resume=args.resume, overrides=sets)  # noqa: E731
    else:
        cfg = pretrain.make_config(read_toml(args.config) if args.config else None, sets, args.config or "config file")
        events = lambda control: pretrain.run(ws, cfg, control)  # noqa: E731
    fin = _with_control(lambda control: _drive(events(control), _Printer(args.quiet)))
    r = _clean(fin.result)
    from engine.tokenizer import load_tokenizer

    r["vocab_size"] = load_tokenizer(ws.tokenizer_path).get_vocab_size()
    r["status"] = fin.status
    vl = r.get("val_loss")
    human = (f"{fin.status}: run {r['run']}, {r['steps']} steps, {r['tokens']:,} tokens, "
             f"{r['tokens_per_s']:,.0f} tok/s, val loss {vl:.4f}" if vl is not None else f"{fin.status}: run {r['run']}")
    _emit(args, r, human + f"\ncheckpoint: {r['checkpoint']}")
    return 0


def _model_and_sampling(args):
    """The checkpoint named by --run, loaded for inference, and the sampling options, checked."""
    import torch

    from engine import checkpoint as ckpt
    from engine.generate import MAX_NEW_TOKENS, SamplingConfig
    from engine.tokenizer import tokenizer_for
    from engine.train.loop import resolve_device
    from engine.workspace import Workspace

    ws = Workspace.open(args.workspace)
    folder = ckpt.resolve(ws.runs_dir, args.run)
    tok, tok_hash = tokenizer_for(ws.tokenizer_path, ckpt.read_meta(folder).get("tokenizer_hash"))  # its own
    try:
        device = resolve_device(args.device)
    except RuntimeError as e:  # torch.device("bogus") is bad input, not a crash
        raise DojoError(f"--device {args.device!r}: {e}") from None
    model, meta = ckpt.load_gpt(folder, device, tok_hash)
    for name, value, ok in (("--temperature", args.temperature, args.temperature >= 0),
                            ("--top-k", args.top_k, args.top_k >= 0),
                            ("--top-p", args.top_p, 0 < args.top_p <= 1),
                            ("--repetition-penalty", args.repetition_penalty, args.repetition_penalty > 0),
                            ("--max-new-tokens", args.max_new_tokens, 1 <= args.max_new_tokens <= MAX_NEW_TOKENS),
                            ("--alternatives", args.alternatives, 0 <= args.alternatives <= 50)):
        if not ok:
            raise DojoError(f"{name} is out of range: {value}"
                            + (f" (1 to {MAX_NEW_TOKENS})" if name == "--max-new-tokens" else ""))
    sc = SamplingConfig(greedy=args.greedy, temperature=args.temperature, top_k=args.top_k, top_p=args.top_p,
                        repetition_penalty=args.repetition_penalty, max_new_tokens=args.max_new_tokens,
                        seed=args.seed, eos_bias=args.eos_bias, stop_strings=tuple(args.stop or ()),
                        alternatives=args.alternatives)
    gen = torch.Generator().manual_seed(args.seed if args.seed is not None else int(time.time_ns() % 2**31))
    return tok, model, meta, folder, sc, gen


def _generation_result(out, folder, meta) -> dict:
    r = {"text": out.text, "token_ids": out.token_ids, "probs": [round(p, 5) for p in out.probs],
         "stopped": out.stopped, "checkpoint": str(folder), "step": meta.get("step")}
    if out.alternatives:
        r["alternatives"] = out.alternatives
    return r


def cmd_generate(args):
    from engine.generate import generate
    from engine.tokenizer import END, EOT, special_id

    tok, model, meta, folder, sc, gen = _model_and_sampling(args)
    out = generate(model, tok, args.prompt, sc, {special_id(tok, EOT), special_id(tok, END)}, gen,
                   progress=_token_progress(args, sc.max_new_tokens))
    _emit(args, _generation_result(out, folder, meta), args.prompt + out.text)
    return 0


def cmd_chat(args):
    from engine.generate import chat

    tok, model, meta, folder, sc, gen = _model_and_sampling(args)
    messages = ([{"role": "system", "content": args.system}] if args.system else []) + \
        [{"role": "user", "content": args.prompt}]
    out = chat(model, tok, messages, sc, gen, progress=_token_progress(args, sc.max_new_tokens))
    _emit(args, _generation_result(out, folder, meta), out.text)
    return 0


def _token_progress(args, limit: int):
    """Tokens so far on stderr, once a second, after the first two seconds (a short answer says nothing)."""
    start = last = time.monotonic()

    def report(n: int) -> None:
        nonlocal last
        now = time.monotonic()
        if not getattr(args, "quiet", False) and now - start >= 2 and now - last >= 1:
            last = now
            print(f"generating: {n:,} of at most {limit:,} tokens, {n / (now - start):,.0f} tokens/s",
                  file=sys.stderr, flush=True)

    return report


def _run_stage(args, module, summary) -> int:
    """A training stage after pretraining: config from --config / --set / flags, or --resume."""
    from engine.config import parse_sets, read_toml
    from engine.workspace import Workspace

    ws = Workspace.open(args.workspace)
    sets = parse_sets(args.set)
    for key in ("base", "data", "device", "prefs", "judge"):
        if getattr(args, key, None) is not None:
            sets[key] = getattr(args, key)
    if getattr(args, "lora", False):
        sets["lora"] = "true"
    if args.resume is not None:
        events = lambda control: module.run(ws, None, control, resume=args.resume, overrides=sets)  # noqa: E731
    else:
        cfg = module.make_config(read_toml(args.config) if args.config else None, sets, args.config or "config file")
        events = lambda control: module.run(ws, cfg, control)  # noqa: E731
    fin = _with_control(lambda control: _drive(events(control), _Printer(args.quiet)))
    r = _clean(fin.result) | {"status": fin.status}
    _emit(args, r, f"{fin.status}: run {r['run']}, {r['steps']} steps, {summary(r)}\ncheckpoint: {r['checkpoint']}")
    return 0


def cmd_sft(args):
    from engine.train import sft

    return _run_stage(args, sft, lambda r: f"val loss {r.get('val_loss')}")


def cmd_distill(args):
    from engine.distill import distill
    from engine.generate import SamplingConfig
    from engine.train.loop import resolve_device
    from engine.workspace import Workspace

    ws = Workspace.open(args.workspace)
    if args.temperature < 0 or args.max_new_tokens < 1 or args.limit < 0:
        raise DojoError("--temperature must be >= 0, --max-new-tokens >= 1 and --limit >= 0")
    sc = SamplingConfig(greedy=args.temperature == 0, temperature=args.temperature or 1.0,
                        max_new_tokens=args.max_new_tokens, seed=args.seed)
    events = lambda control: distill(ws, args.teacher, args.prompts, args.out, sc,  # noqa: E731
                                     args.keep_unfinished, args.limit, resolve_device(args.device), control)
    fin = _with_control(lambda control: _drive(events(control), _Printer(args.quiet)))
    r = fin.result | {"status": fin.status}
    _emit(args, r, f"{fin.status}: {r['examples']} answers from {r['teacher']} "
                   f"({r['unfinished']} unfinished) → {r['file']}\n"
                   f"train a student on them: lmdojo-cli sft {ws.root} --from STUDENT_RUN --data {r['file']}")
    return 0


def cmd_eval(args):
    from engine.evaluate import evaluate_runs
    from engine.train.loop import resolve_device
    from engine.workspace import Workspace

    ws = Workspace.open(args.workspace)
    r = evaluate_runs(ws, args.run, args.limit, resolve_device(args.device))
    lines = []
    for x in r["runs"]:
        first = "–" if x["first_token_accuracy"] is None else f"{x['first_token_accuracy']:.1%}"
        lines.append(f"{x['run']}: QA accuracy {x['qa_accuracy']:.1%} exact ({x['qa_contains']:.1%} contain the "
                     f"fact; first token right {first}), ends its answer {x['end_rate']:.1%}, "
                     f"{x['mean_length']:.1f} tokens")
        mem = x.get("memorisation")
        if mem:
            lines.append(f"  memorised {mem['all']:.1%} of the facts in its training biographies "
                         f"(first token, teacher-forced; {mem['facts']} facts)")
    lines.append(f"chance (always the commonest value): {r['chance_by_field']['all']:.1%}")
    _emit(args, r, "\n".join(lines))
    return 0


def cmd_repair(args):
    from engine.repair import rebuild_run_index, runs_on_disk
    from engine.workspace import Workspace, take_notes

    ws = Workspace.open(args.workspace)  # opening already rebuilds what is missing, and notes it
    notes = take_notes()
    added = rebuild_run_index(ws)  # anything left (e.g. found while another process opened it)
    _emit(args, {"rebuilt": added, "notes": notes, "runs_on_disk": len(runs_on_disk(ws))},
          "\n".join(notes) or (f"rebuilt {len(added)} runs: {', '.join(added)}" if added
                                else f"the run index is complete ({len(runs_on_disk(ws))} run folders)"))
    return 0


def cmd_runs(args):
    from engine.store import Store
    from engine.workspace import Workspace

    from engine.status import run_status

    ws = Workspace.open(args.workspace)
    with Store(ws.db_path) as store:
        runs = [{k: r[k] for k in ("id", "stage", "parent", "message")} | {"status": run_status(ws, r)}
                for r in store.runs()]
    _emit(args, {"runs": runs}, "\n".join(f"{r['id']}  {r['stage']}  {r['status']}" for r in runs) or "no runs yet")
    return 0


# -- parser -----------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="lmdojo-cli", description="LM Dojo: train a small GPT through every stage, headless.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def add(name, fn, help, first=None):
        s = sub.add_parser(name, help=help, description=help)
        if first is not None:  # a positional before the workspace: lab NAME WS
            s.add_argument(first[0], **first[1])
        s.add_argument("workspace", help="workspace folder")
        s.add_argument("--json", action="store_true", help="print the result as one JSON object on the last line")
        s.set_defaults(fn=fn)
        return s

    s = add("init", cmd_init, "Create a workspace (with --demo: the generated bilingual demo world).")
    s.add_argument("--demo", action="store_true", help="fill it with the demo world")
    s.add_argument("--seed", type=seed_arg, default=0)
    from engine.data.demo import DemoConfig

    d = DemoConfig()
    s.add_argument("--people", type=int, default=d.people, help="fictional people in the demo world")
    s.add_argument("--augment-versions", type=int, default=d.augment_versions,
                   help="biographies per person, each sentence worded anew")
    s.add_argument("--permute", action=argparse.BooleanOptionalAction, default=d.permute,
                   help="each biography orders its sentences anew")
    s.add_argument("--fullname", action=argparse.BooleanOptionalAction, default=d.fullname,
                   help="every sentence names the person (--no-fullname: a pronoun after the first)")
    s.add_argument("--stories", type=int, default=d.stories, help="stories about the demo world's places")

    def config_args(s):
        s.add_argument("--config", help="TOML config file")
        s.add_argument("--set", action="append", metavar="KEY=VALUE", help="override one config key (repeatable)")
        s.add_argument("--quiet", action="store_true", help="no progress on stderr")

    s = add("clean", cmd_clean, "Clean raw text: normalise, rules, exact and near dedup, quality filter.")
    config_args(s)
    s.add_argument("--source", action="append", metavar="PATH", help="file or folder to read (repeatable; "
                   "default: WS/data/raw, else WS/data/corpus)")
    s.add_argument("--out", help="output folder (default: WS/data/clean)")
    s.add_argument("--reference", help="folder of good text for the quality model (default: WS/data/reference)")
    s.add_argument("--workers", type=int, help="processes for the per-document steps")

    s = add("tokenize", cmd_tokenize, "Train the byte-level BPE tokenizer and write token shards.")
    config_args(s)
    s.add_argument("--vocab-size", type=int)
    s.add_argument("--force", action="store_true",
                   help="replace a tokenizer that runs were trained with (theirs stays in tokenizer/by-hash/)")

    s = add("pretrain", cmd_pretrain, "Pretrain the model on the token shards (next-token prediction).")
    config_args(s)
    s.add_argument("--preset", help="tiny, small or medium")
    s.add_argument("--device", help="auto, cpu, cuda, cuda:N or mps")
    s.add_argument("--resume", nargs="?", const=True, metavar="RUN",
                   help="continue the latest run (or run RUN, or a checkpoint folder) from its last checkpoint")

    def sampling_args(s):
        s.add_argument("--run", required=True, help="run id (its latest checkpoint) or a checkpoint folder")
        s.add_argument("--prompt", required=True)
        s.add_argument("--greedy", action="store_true")
        s.add_argument("--temperature", type=float, default=0.8)
        s.add_argument("--top-k", type=int, default=50)
        s.add_argument("--top-p", type=float, default=1.0)
        s.add_argument("--repetition-penalty", type=float, default=1.0)
        s.add_argument("--eos-bias", type=float, default=0.0, help="added to the end-of-turn token's logit")
        s.add_argument("--stop", action="append", metavar="TEXT", help="stop string (repeatable)")
        s.add_argument("--max-new-tokens", type=int, default=100)
        s.add_argument("--alternatives", type=int, default=0, help="also return the top-N tokens per step")
        s.add_argument("--seed", type=seed_arg)
        s.add_argument("--device", default="auto")

    sampling_args(add("generate", cmd_generate, "Continue a prompt with a trained checkpoint."))
    s = add("chat", cmd_chat, "Answer a prompt as the assistant, through the chat template.")
    sampling_args(s)
    s.add_argument("--system", help="a system message before the prompt")

    def stage_args(s, start_help):
        config_args(s)
        s.add_argument("--from", dest="base", help=start_help)
        s.add_argument("--device", help="auto, cpu, cuda, cuda:N or mps")
        s.add_argument("--resume", nargs="?", const=True, metavar="RUN", help="continue a run of this stage")

    s = add("sft", cmd_sft, "Fine-tune a pretrained run on instruction data (chat template, masked loss).")
    stage_args(s, "run or checkpoint to start from (default: latest pretraining run)")
    s.add_argument("--data", help="instruction data file or folder (default: WS/data/sft/train.jsonl)")
    s.add_argument("--lora", action="store_true", help="train LoRA adapters instead of all weights")

    s = add("distill", cmd_distill, "A teacher run answers prompts; the answers become an SFT set for a student.")
    s.add_argument("--teacher", required=True, help="run or checkpoint that answers (an SFT run)")
    s.add_argument("--prompts", help="prompts: a .txt file (one per line) or an instruction dataset "
                   "(default: WS/data/sft/train.jsonl)")
    s.add_argument("--out", help="output JSONL (default: WS/data/sft/distilled-TEACHER.jsonl)")
    s.add_argument("--max-new-tokens", type=int, default=96)
    s.add_argument("--temperature", type=float, default=0.0, help="0 = greedy")
    s.add_argument("--seed", type=seed_arg, default=0)
    s.add_argument("--keep-unfinished", action="store_true", help="keep answers cut off at max-new-tokens")
    s.add_argument("--limit", type=int, default=0, help="at most this many prompts (0 = all)")
    s.add_argument("--device", default="auto")
    s.add_argument("--quiet", action="store_true", help="no progress on stderr")

    s = add("eval", cmd_eval, "Held-out QA on the demo world: accuracy, end-of-turn rate, answer length.")
    s.add_argument("--run", action="append", required=True, metavar="RUN", help="run or checkpoint (repeatable)")
    s.add_argument("--limit", type=int, default=200, help="questions to ask")
    s.add_argument("--device", default="auto")

    from engine.cli_compare import add_compare_parsers
    from engine.cli_export import add_export_parsers
    from engine.cli_insight import add_insight_parser
    from engine.cli_labs import add_lab_parser
    from engine.cli_rlhf import add_rlhf_parsers
    from engine.prefs_cli import add_prefs_parser

    add_rlhf_parsers(add, stage_args)
    add_prefs_parser(add)
    add_compare_parsers(add)
    add_export_parsers(add)
    add_lab_parser(add)
    add_insight_parser(add)
    add("runs", cmd_runs, "List the runs of a workspace.")
    add("repair", cmd_repair, "Rebuild the run index from the run folders (after the workspace database was lost).")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    finished = False
    try:
        code = args.fn(args)
        finished = True
        return code
    except DojoError as e:
        print(f"{_who()}error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print(f"{_who()}aborted", file=sys.stderr)
        return 130
    except Exception as e:  # a training failure: one line, not a traceback; details with LMDOJO_DEBUG=1
        import errno
        import os

        if os.environ.get("LMDOJO_DEBUG"):
            raise
        if isinstance(e, OSError) and e.errno in (errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOSPC):
            where = f"{e.filename}: " if e.filename else ""  # a file it could not write: named, bad input
            what = "no space left on the disk" if e.errno == errno.ENOSPC else "read-only here or not permitted"
            print(f"{_who()}error: {where}{what} ({e.strerror})", file=sys.stderr)
            return EXIT_BAD_INPUT
        print(f"{_who()}error: {type(e).__name__}: {e}", file=sys.stderr)
        return EXIT_FAILED
    finally:
        from engine.workspace import take_notes

        for note in take_notes():  # what opening the workspace had to repair
            print(f"{_who()}note: {note}", file=sys.stderr)
        if _dist() is not None:
            _dist().destroy(finished)


def _who() -> str:
    """Under torchrun, which process speaks (each one reports its own errors)."""
    world = _dist().current().world if _dist() is not None else 1
    return f"rank {_dist().current().rank}: " if world > 1 else ""


def _exit(code: int) -> None:
    """Under torchrun, leave without the interpreter's finalisation: gloo's worker threads can
    still hold work that holds tensors, and destroying those while Python shuts down aborts the
    process ("terminate called without an active exception") after a run that went well. The
    process group is already destroyed and every file closed; stdout and stderr are flushed here."""
    import os

    if int(os.environ.get("WORLD_SIZE", "1")) > 1:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    _exit(main())
