"""Insight "template": one training example as the SFT stage sees it, and the prompt generation sends.

The example is encoded with `engine.data.sft_data.encode_example`, exactly as the SFT stage encodes
it (cut at the model's block_size + 1), so a token is "trained" exactly when its label is not
IGNORE_INDEX — the stage's own loss mask. Beside it, the prompt the generation path builds for the
same question (`engine.generate.chat` renders `render_chat(messages, add_generation_prompt=True)`)
is compared token by token with what the model saw before the answer in training; a difference is
the most common cause of "it repeats itself". The settings (loss_on, response_only, the data, the
train/validation split) come from the SFT run's saved config.

    lmdojo-cli insight template WS --set example=3 --set generation_format=plain --json
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from engine.config import build_config, knob
from engine.errors import DojoError
from engine.events import Finished, Log

TITLE = "Template inspector: what the model trains on, and what it is asked"

ABOUT = (
    "One training example as the SFT stage feeds it to the model, token by token. Special tokens (the "
    "role markers <|user|>, <|assistant|>, the end-of-turn <|end|>) are shown as boxes; highlighted "
    "tokens carry the loss (the model is taught to write them), grey ones are only read. With the default "
    "settings only the assistant's answer and its <|end|> are highlighted: the model learns what to answer "
    "and when to stop. Below it, the prompt the generation path sends for the same question, compared "
    "token by token with what the model saw before the answer in training: if they differ (another "
    "format, a missing or extra system message, a run trained on answers with empty prompts) the model "
    "is asked something it never saw, and a model that never learned to stop keeps writing — the "
    'classic "it repeats itself". Warnings name the first differing token.'
)

PLAIN = "plain"
CHAT = "chat"


@dataclass
class Config:
    run: str = knob(
        "",
        "SFT run whose settings and data to inspect (empty: the latest SFT run; with none, "
        "the workspace's data/sft/train.jsonl with the SFT stage's default settings).",
    )
    example: int = knob(0, "Which example of the split (0-based).", min=0)
    split: str = knob("train", "The SFT stage's training or validation examples.", choices=("train", "val"))
    generation_format: str = knob(
        CHAT,
        "How generation renders the prompt: chat (the chat template, what "
        "the app does), plain ('User: …\\nAssistant:') or a custom string "
        "with {prompt}.",
    )
    system: str = knob("", "System message generation sends (empty: none, as the app's chat does).")
    messages: str = knob("", "A JSON list of messages to inspect instead of a stored example.")


# -- the tokens ----------------------------------------------------------------------------------


def special_ids(tok) -> set[int]:
    from engine.tokenizer import SPECIAL_TOKENS

    return {i for i in (tok.token_to_id(t) for t in SPECIAL_TOKENS) if i is not None}


def _token(tok, tid: int, specials: set[int]) -> dict:
    """A token for showing: partial is set when it holds only part of a character (text is then
    its bytes in hex, '<e5 b7>', as token_display writes it)."""
    from engine.tokenizer import token_bytes_hex, token_display

    text = token_display(tok, tid)
    partial = tid not in specials and "\ufffd" in tok.decode([tid], skip_special_tokens=False)
    return {
        "id": tid,
        "text": text,
        "special": tid in specials,
        "partial": partial,
        "bytes": token_bytes_hex(tok, tid) if partial else "",
    }


def inspect_tokens(tok, messages: list[dict], loss_on: str = "assistant", max_len: int | None = None) -> list[dict]:
    """Per token of the encoded example: {id, text, special, trained, role}; trained == (label !=
    IGNORE_INDEX) of encode_example, the mask the SFT stage trains with; role "" for the final EOT."""
    from engine.data.sft_data import encode_example
    from engine.losses import IGNORE_INDEX

    enc = encode_example(tok, messages, loss_on)
    roles: list[str] = []
    for m in messages:  # encode_example's layout: role token, content, END per message, then EOT
        n = len(tok.encode(m["content"], add_special_tokens=False).ids) if m.get("content") else 0
        roles += [m["role"]] * (n + 2)
    roles.append("")
    if enc is None:  # nothing trained (loss on the assistant, and no assistant turn)
        from engine.tokenizer import EOT, chat_ids, special_id

        ids = chat_ids(tok, messages) + [special_id(tok, EOT)]
        labels = [IGNORE_INDEX] * len(ids)
    else:
        ids, labels = enc.ids, enc.labels
    if len(roles) != len(ids):
        raise DojoError(f"the template's layout changed: {len(ids)} tokens but {len(roles)} roles")
    if max_len is not None:
        ids, labels, roles = ids[:max_len], labels[:max_len], roles[:max_len]
    specials = special_ids(tok)
    return [
        {**_token(tok, t, specials), "trained": lab != IGNORE_INDEX, "role": r} for t, lab, r in zip(ids, labels, roles)
    ]


def answer_start(tokens: list[dict], tok) -> int:
    """Index just after the last <|assistant|> token: where the answer's content begins."""
    from engine.tokenizer import ASSISTANT, special_id

    a = special_id(tok, ASSISTANT)
    starts = [i for i, t in enumerate(tokens) if t["id"] == a]
    if not starts:
        raise DojoError("the example has no assistant turn to compare the generation prompt with")
    return starts[-1] + 1


def generation_messages(messages: list[dict], system: str = "") -> list[dict]:
    """What generation sends for the last answer: the turns before it, the example's own system
    message replaced by `system` (none when empty, as the app's chat sends)."""
    last = max(i for i, m in enumerate(messages) if m["role"] == "assistant")
    head = [{"role": "system", "content": system}] if system else []
    return head + [m for m in messages[:last] if m["role"] != "system"]


def generation_ids(tok, messages: list[dict], fmt: str = CHAT) -> list[int]:
    """The generation prompt's tokens: the chat template by id; a plain or custom format as a
    template (its control-token strings, if any, are control tokens), the prompt inside it as text."""
    from engine.tokenizer import chat_ids, encode_template

    if fmt == CHAT:
        return chat_ids(tok, messages, add_generation_prompt=True)
    text = render_generation(messages, fmt)
    if fmt == PLAIN:
        return tok.encode(text, add_special_tokens=False).ids
    users = [m["content"] for m in messages if m["role"] == "user"]
    before, _, after = fmt.partition("{prompt}")
    return (
        encode_template(tok, before)
        + (tok.encode(users[-1], add_special_tokens=False).ids if users else [])
        + encode_template(tok, after)
    )


def render_generation(messages: list[dict], fmt: str = CHAT) -> str:
    """The prompt text in a generation format: chat, plain, or a custom string with {prompt}."""
    from engine.tokenizer import render_chat

    if fmt == CHAT:
        return render_chat(messages, add_generation_prompt=True)
    if fmt == PLAIN:
        names = {"system": "System", "user": "User", "assistant": "Assistant"}
        return "".join(f"{names[m['role']]}: {m['content']}\n" for m in messages) + "Assistant:"
    if "{prompt}" not in fmt:
        raise DojoError(f"generation_format must be chat, plain or a string with {{prompt}}, got {fmt!r}")
    users = [m["content"] for m in messages if m["role"] == "user"]
    return fmt.replace("{prompt}", users[-1] if users else "")


def first_difference(trained: list[dict], generated: list[dict]) -> dict | None:
    """The first position where the two token lists differ (one ending early counts), or None."""
    for i in range(max(len(trained), len(generated))):
        a = trained[i] if i < len(trained) else None
        b = generated[i] if i < len(generated) else None
        if a is None or b is None or a["id"] != b["id"]:
            return {"position": i, "trained": a["text"] if a else "(end)", "generation": b["text"] if b else "(end)"}
    return None


def compare(
    tok, train_messages: list[dict], gen_messages: list[dict], fmt: str = CHAT, loss_on: str = "assistant"
) -> tuple[list[dict], list[dict], dict | None]:
    """(training prefix, generation tokens, first difference): what the model saw before the last
    answer in training (full encoding, uncut) against the prompt generation builds, token by token."""
    full = inspect_tokens(tok, train_messages, loss_on)
    prefix = full[: answer_start(full, tok)]
    specials = special_ids(tok)
    gen = [_token(tok, t, specials) for t in generation_ids(tok, gen_messages, fmt)]
    for i, g in enumerate(gen):
        g["matches"] = i < len(prefix) and prefix[i]["id"] == g["id"]
    return prefix, gen, first_difference(prefix, gen)


def template_warnings(
    tok,
    train_messages: list[dict],
    gen_messages: list[dict],
    fmt: str = CHAT,
    response_only: bool = False,
    system_share: float | None = None,
    loss_on: str = "assistant",
    max_len: int | None = None,
    end_untrained: int = 0,
    train_count: int = 0,
) -> list[dict]:
    """[{code, message}] for each way the generation prompt departs from training, and for answers
    whose end-of-turn token is not trained (then the model never learns to stop). `train_messages`
    is the example as trained (empty prompts under response_only), `gen_messages` what generation
    sends, `system_share` the share of training examples with a system message."""
    from engine.tokenizer import END, special_id

    _, _, diff = compare(tok, train_messages, gen_messages, fmt, loss_on)
    tokens = inspect_tokens(tok, train_messages, loss_on, max_len)
    at = (
        f" First difference at token {diff['position']}: trained {diff['trained']!r}, generation "
        f"{diff['generation']!r}."
        if diff
        else ""
    )
    out = []
    asks = any(m["role"] == "user" and m["content"].strip() for m in gen_messages)
    if response_only and asks:
        out.append(
            {
                "code": "response_only",
                "message": "The SFT run trained on answers after empty prompts "
                "(response_only), but generation sends the question: the model never saw a question "
                "before an answer." + at,
            }
        )
    if diff and fmt != CHAT:
        shown = PLAIN if fmt == PLAIN else "custom"
        out.append(
            {
                "code": "format",
                "message": f"Generation uses the {shown} format, not the chat template "
                "the model was trained with." + at,
            }
        )
    own_system = [m["content"] for m in train_messages if m["role"] == "system"]
    sent_system = [m["content"] for m in gen_messages if m["role"] == "system"]
    if diff and fmt == CHAT and not (response_only and asks) and own_system == sent_system:
        out.append(
            {
                "code": "prompt_mismatch",
                "message": "The generation prompt differs from what the model saw before the answer in training." + at,
            }
        )
    if system_share is not None:
        if system_share == 1.0 and not sent_system:
            out.append(
                {
                    "code": "system",
                    "message": "Every training example starts with a system message, but generation sends none.",
                }
            )
        elif system_share == 0.0 and sent_system:
            out.append(
                {"code": "system", "message": "No training example has a system message, but generation sends one."}
            )
    end = special_id(tok, END)
    closes = [t for t in tokens if t["role"] == "assistant" and t["id"] == end]
    answers = sum(1 for m in train_messages if m["role"] == "assistant")
    if len(closes) < answers or any(not t["trained"] for t in closes):
        out.append(
            {
                "code": "end_not_trained",
                "message": "This example's end-of-turn token <|end|> is not "
                "trained (cut off, or outside the loss): the model does not learn to stop here.",
            }
        )
    if end_untrained:
        out.append(
            {
                "code": "end_not_trained",
                "message": f"{end_untrained} of {train_count} training examples "
                "lose their final <|end|> to the block size: the model never learns to stop on those "
                'and keeps writing ("it repeats itself").',
            }
        )
    return out


# -- the SFT run's settings and split -------------------------------------------------------------


def _setup(ws, ref: str) -> dict:
    """{run, cfg, records, data, block, note} of the SFT run `ref` (latest when empty) or the defaults."""
    from engine import checkpoint as ckpt
    from engine.data.sft_data import load_sft_records, response_only, select_examples
    from engine.io.store import Store
    from engine.train.sft import SFTConfig, make_config

    with Store(ws.db_path) as store:
        if ref:
            run = store.run(ref)
            if run is None:
                raise DojoError(f"no run {ref!r} in {ws.db_path}")
            if run["stage"] != "sft":
                raise DojoError(f"run {ref} is a {run['stage']} run, not an SFT run")
        else:
            runs = store.runs("sft")
            run = runs[-1] if runs else None
        pretrains = [r["id"] for r in store.runs("pretrain")]
    if run is None:
        cfg = make_config()
        data = ws.data_dir / "sft" / "train.jsonl"
        records = load_sft_records(data)
        metas = [ckpt.list_checkpoints(ws.run_dir(r) / "checkpoints") for r in pretrains]
        metas = [m[-1] for m in metas if m]
        block = ckpt.read_meta(metas[-1])["model_config"]["block_size"] if metas else None
        return {
            "run": "",
            "cfg": cfg,
            "records": records,
            "data": str(data),
            "block": block,
            "originals": {},
            "note": f"no SFT run in {ws.root}: {data} with the SFT stage's default settings",
        }
    cfg = build_config(SFTConfig, run["config"], toml_name=f"saved config of run {run['id']}")
    source = Path(cfg.data) if cfg.data else ws.data_dir / "sft" / "train.jsonl"
    selected = ws.run_dir(run["id"]) / "selected.jsonl"
    originals = {}
    if selected.is_file():  # what the run trained on, selection and response_only applied
        data, records = selected, load_sft_records(selected)
        if cfg.response_only and source.exists():
            originals = {r["id"]: r["messages"] for r in load_sft_records(source)}
    else:
        data = source
        records = select_examples(load_sft_records(data), cfg.select, cfg.select_n, cfg.seed)
        originals = {r["id"]: r["messages"] for r in records}
        records = response_only(records) if cfg.response_only else records
    block = None
    for folder in ckpt.list_checkpoints(ws.run_dir(run["id"]) / "checkpoints")[-1:] or (
        [Path(run["parent"])] if run.get("parent") and Path(run["parent"]).is_dir() else []
    ):
        block = ckpt.read_meta(folder).get("model_config", {}).get("block_size")
    return {
        "run": run["id"],
        "cfg": cfg,
        "records": records,
        "data": str(data),
        "block": block,
        "originals": originals,
        "note": "",
    }


def split_examples(tok, records: list[dict], cfg, block: int | None) -> tuple[list, list, int]:
    """(train, val, untrained ends) as the SFT stage splits: an example goes to validation when the
    hash of "seed:id" falls below val_fraction; examples with nothing trained after the cut at
    block + 1 are skipped. Each list holds (record, full encoding) once (weights not repeated)."""
    from engine.data.sft_data import encode_example
    from engine.data.shards import hash_below
    from engine.losses import IGNORE_INDEX

    train, val, cut_ends = [], [], 0
    limit = block + 1 if block else None
    for r in records:
        enc = encode_example(tok, r["messages"], cfg.loss_on)
        if enc is None or all(x == IGNORE_INDEX for x in enc.labels[:limit]):
            continue
        if hash_below(f"{cfg.seed}:{r['id']}", cfg.val_fraction):
            val.append((r, enc))
        else:
            train.append((r, enc))
            # the final <|end|> sits just before EOT: kept only when the cut leaves it
            if limit is not None and len(enc.ids) - 2 >= limit:
                cut_ends += 1
    if not val:  # as the stage: always measure something held out
        val = train[-max(1, len(train) // 20) :]
    return train, val, cut_ends


# -- the insight ---------------------------------------------------------------------------------


def _custom_messages(text: str) -> list[dict]:
    from engine.data.sft_data import RecordError, normalise_record

    try:
        value = json.loads(text)
    except json.JSONDecodeError as e:
        raise DojoError(f"messages: invalid JSON ({e.msg}, column {e.colno})") from None
    if not isinstance(value, list):
        raise DojoError(f"messages must be a JSON list of {{role, content}} objects, got {type(value).__name__}")
    try:
        return normalise_record({"messages": value})
    except RecordError as e:
        raise DojoError(f"messages: {e}") from None


def run(ws, opts: Config, control=None):
    from engine.data.sft_data import response_only
    from engine.tokenizer import load_tokenizer

    if not ws.tokenizer_path.is_file():
        raise DojoError(f"no tokenizer in {ws.root}: run lmdojo-cli tokenize WS first")
    tok = load_tokenizer(ws.tokenizer_path)
    setup = _setup(ws, opts.run)
    cfg, block = setup["cfg"], setup["block"]
    yield Log(
        setup["note"]
        or f"template: SFT run {setup['run']} (loss on {cfg.loss_on}, "
        f"response_only {cfg.response_only}, block size {block})"
    )
    train, val, cut_ends = split_examples(tok, setup["records"], cfg, block)
    pool = train if opts.split == "train" else val
    if opts.messages.strip():
        asked = _custom_messages(opts.messages)
        messages = response_only([{"messages": asked}])[0]["messages"] if cfg.response_only else asked
        example = {"index": None, "id": "messages", "count": len(pool), "source": "--set messages"}
    else:
        if opts.example >= len(pool):
            has = f"{len(pool)} examples (0–{len(pool) - 1})" if pool else "no examples"
            raise DojoError(
                f"example {opts.example} is out of range: the {opts.split} split of {setup['data']} has {has}"
            )
        rec = pool[opts.example][0]
        messages = rec["messages"]
        # under response_only the run saw empty prompts; generation still sends the original question
        asked = setup["originals"].get(rec["id"], messages)
        example = {"index": opts.example, "id": rec["id"], "count": len(pool), "source": rec.get("source", "")}
    if control is not None and control.should_stop():
        yield Finished("cancelled", {})
        return
    max_len = block + 1 if block else None
    tokens = inspect_tokens(tok, messages, cfg.loss_on, max_len)
    gen_msgs = generation_messages(asked, opts.system)
    prefix, gen, diff = compare(tok, messages, gen_msgs, opts.generation_format, cfg.loss_on)
    share = sum(any(m["role"] == "system" for m in r["messages"]) for r, _ in train) / len(train) if train else None
    warnings = template_warnings(
        tok,
        messages,
        gen_msgs,
        opts.generation_format,
        cfg.response_only,
        share,
        cfg.loss_on,
        max_len,
        cut_ends,
        len(train),
    )
    trained = sum(t["trained"] for t in tokens)
    for w in warnings:
        yield Log(f"warning ({w['code']}): {w['message']}")
    yield Finished(
        "done",
        {
            "run": setup["run"],
            "note": setup["note"],
            "data": setup["data"],
            "loss_on": cfg.loss_on,
            "response_only": cfg.response_only,
            "block_size": block,
            "split": opts.split,
            "example": example,
            "messages": messages,
            "tokens": tokens,
            "trained_count": trained,
            "masked_count": len(tokens) - trained,
            "truncated": tokens[-1]["role"] != "",  # the full encoding ends with EOT
            "generation_format": opts.generation_format,
            "generation_messages": gen_msgs,
            "generation_prompt": render_generation(gen_msgs, opts.generation_format),
            "generation_tokens": gen,
            "training_prefix": len(prefix),
            "first_difference": diff,
            # the example's own system message is not sent (as the app's chat sends none): the only difference
            "system_only": bool(diff)
            and opts.generation_format == CHAT
            and not cfg.response_only
            and compare(
                tok,
                [m for m in messages if m["role"] != "system"],
                [m for m in gen_msgs if m["role"] != "system"],
                CHAT,
                cfg.loss_on,
            )[2]
            is None,
            "system_share": round(share, 4) if share is not None else None,
            "end_untrained": cut_ends,
            "train_examples": len(train),
            "warnings": warnings,
        },
    )


def readable(tokens: list[dict]) -> list[str]:
    """Each token's text, where a character split into byte tokens shows on the token that
    completes it (the tokens before it show ""): joined, the texts read as the original."""
    import codecs

    out, decoder = [], codecs.getincrementaldecoder("utf-8")(errors="replace")
    for k, t in enumerate(tokens):
        if t.get("partial"):
            last = k + 1 == len(tokens) or not tokens[k + 1].get("partial")
            out.append(decoder.decode(bytes.fromhex(t["bytes"]), final=last))
            if last:
                decoder.reset()
        else:
            out.append(t["text"])
    return [s.replace("\n", "↵") for s in out]


def _compact(tokens: list[dict]) -> str:
    """Tokens joined, each run of trained tokens inside ⟦ ⟧, whitespace made visible."""
    out, inside = [], False
    for t, text in zip(tokens, readable(tokens)):
        if t.get("trained", False) != inside:
            out.append("⟦" if t["trained"] else "⟧")
            inside = t["trained"]
        out.append(text)
    return "".join(out) + ("⟧" if inside else "")


def summary(result: dict) -> str:
    ex = result["example"]
    where = f"SFT run {result['run']}" if result["run"] else result["note"]
    which = (
        f"{result['split']} example {ex['index']} of {ex['count']} ({ex['id']})"
        if ex["index"] is not None
        else "the given messages"
    )
    lines = [
        f"{where}; {which}; loss on {result['loss_on']}, response_only {result['response_only']}",
        f"tokens: {len(result['tokens'])} ({result['trained_count']} trained ⟦…⟧, {result['masked_count']} "
        f"masked){' — cut at the block size' if result['truncated'] else ''}",
        "training:   " + _compact(result["tokens"]),
        f"generation ({result['generation_format']}): " + _compact(result["generation_tokens"]),
    ]
    lines += [f"! {w['code']}: {w['message']}" for w in result["warnings"]] or ["no warnings"]
    return "\n".join(lines)
