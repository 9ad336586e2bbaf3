"""The sampling verbs of lmdojo-cli: `generate` (continue a prompt) and `chat` (answer it as the
assistant, through the chat template), with a trained checkpoint (engine/generate.py).
"""

from __future__ import annotations

import time

from engine.cli.common import device, emit, seed_arg, token_progress
from engine.errors import DojoError


def _model_and_sampling(args):
    """The checkpoint named by --run, loaded for inference, and the sampling options, checked."""
    import torch

    from engine import checkpoint as ckpt
    from engine.generate import MAX_NEW_TOKENS, SamplingConfig
    from engine.io.workspace import Workspace
    from engine.tokenizer import tokenizer_for

    ws = Workspace.open(args.workspace)
    dev = device(args.device)  # the cheap check first
    folder = ckpt.resolve(ws.runs_dir, args.run)
    tok, tok_hash = tokenizer_for(ws.tokenizer_path, ckpt.read_meta(folder).get("tokenizer_hash"))  # its own
    model, meta = ckpt.load_gpt(folder, dev, tok_hash)
    for name, value, ok in (
        ("--temperature", args.temperature, args.temperature >= 0),
        ("--top-k", args.top_k, args.top_k >= 0),
        ("--top-p", args.top_p, 0 < args.top_p <= 1),
        ("--repetition-penalty", args.repetition_penalty, args.repetition_penalty > 0),
        ("--max-new-tokens", args.max_new_tokens, 1 <= args.max_new_tokens <= MAX_NEW_TOKENS),
        ("--alternatives", args.alternatives, 0 <= args.alternatives <= 50),
    ):
        if not ok:
            raise DojoError(
                f"{name} is out of range: {value}" + (f" (1 to {MAX_NEW_TOKENS})" if name == "--max-new-tokens" else "")
            )
    sc = SamplingConfig(
        greedy=args.greedy,
        temperature=args.temperature,
        top_k=args.top_k,
        top_p=args.top_p,
        repetition_penalty=args.repetition_penalty,
        max_new_tokens=args.max_new_tokens,
        seed=args.seed,
        eos_bias=args.eos_bias,
        stop_strings=tuple(args.stop or ()),
        alternatives=args.alternatives,
    )
    gen = torch.Generator().manual_seed(args.seed if args.seed is not None else int(time.time_ns() % 2**31))
    return tok, model, meta, folder, sc, gen


def _generation_result(out, folder, meta) -> dict:
    r = {
        "text": out.text,
        "token_ids": out.token_ids,
        "probs": [round(p, 5) for p in out.probs],
        "stopped": out.stopped,
        "checkpoint": str(folder),
        "step": meta.get("step"),
    }
    if out.alternatives:
        r["alternatives"] = out.alternatives
    return r


def cmd_generate(args):
    from engine.generate import generate
    from engine.tokenizer import END, EOT, special_id

    tok, model, meta, folder, sc, gen = _model_and_sampling(args)
    out = generate(
        model,
        tok,
        args.prompt,
        sc,
        {special_id(tok, EOT), special_id(tok, END)},
        gen,
        progress=token_progress(args, sc.max_new_tokens),
    )
    emit(args, _generation_result(out, folder, meta), args.prompt + out.text)
    return 0


def cmd_chat(args):
    from engine.generate import chat

    tok, model, meta, folder, sc, gen = _model_and_sampling(args)
    messages = ([{"role": "system", "content": args.system}] if args.system else []) + [
        {"role": "user", "content": args.prompt}
    ]
    out = chat(model, tok, messages, sc, gen, progress=token_progress(args, sc.max_new_tokens))
    emit(args, _generation_result(out, folder, meta), out.text)
    return 0


def add_generate_parsers(add) -> None:
    for name, fn, help in (
        ("generate", cmd_generate, "Continue a prompt with a trained checkpoint."),
        ("chat", cmd_chat, "Answer a prompt as the assistant, through the chat template."),
    ):
        s = add(name, fn, help)
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
        if name == "chat":
            s.add_argument("--system", help="a system message before the prompt")
