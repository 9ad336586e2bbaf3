"""What the Hugging Face export and import tests share: a trained demo workspace (once a session),
a fresh copy of it per test, and helpers."""

from __future__ import annotations

import json
import shutil

import pytest
import torch

from engine import checkpoint as ckpt
from engine.io.workspace import Workspace
from engine.tokenizer import chat_ids, load_tokenizer, tokenizer_hash
from tests.conftest import QUICK_SFT, TINY, run_events

MESSAGES = [
    {"role": "system", "content": "你是一個有用的助手。Answer briefly."},
    {"role": "user", "content": "台北在哪裡？"},
    {"role": "assistant", "content": "在台灣北部。"},
    {"role": "user", "content": "Thanks! 謝謝"},
]


@pytest.fixture(scope="session")
def trained(demo_ws_template, tmp_path_factory):
    """The sft_ws recipe (tiny pretrain, then SFT) once for the module, plus a short LoRA SFT run on all
    four targets: (workspace root, {"pretrain", "sft", "lora": run ids})."""
    from engine.train import pretrain, sft

    root = tmp_path_factory.mktemp("hf") / "ws"
    shutil.copytree(demo_ws_template, root)
    ws = Workspace.open(root)
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        pre = run_events(pretrain.run(ws, pretrain.make_config(sets={**TINY, "max_steps": "10", "block_size": "96"})))
        common = QUICK_SFT
        full = run_events(sft.run(ws, sft.make_config(sets={**common, "max_steps": "20"})))
        lora = run_events(
            sft.run(
                ws,
                sft.make_config(
                    sets={
                        **common,
                        "max_steps": "4",
                        "lora": "true",
                        "lora_targets": '["qkv", "proj", "gate_up", "down"]',
                    }
                ),
            )
        )
    finally:
        torch.set_num_threads(before)
    return root, {"pretrain": pre[-1].result["run"], "sft": full[-1].result["run"], "lora": lora[-1].result["run"]}


@pytest.fixture
def tws(trained, tmp_path):
    """A fresh copy of the trained workspace: (ws, run ids)."""
    root, runs = trained
    dst = tmp_path / "ws"
    shutil.copytree(root, dst)
    return Workspace.open(dst), runs


def our_model(ws, ref):
    model, _ = ckpt.load_gpt(ckpt.resolve(ws.runs_dir, ref), "cpu", tokenizer_hash(ws.tokenizer_path))
    return model


def token_batches(ws):
    """A few sequences: random ids, and a chat rendered through the template."""
    tok = load_tokenizer(ws.tokenizer_path)
    chat = chat_ids(tok, MESSAGES, add_generation_prompt=True)
    g = torch.Generator().manual_seed(0)
    return [torch.randint(0, tok.get_vocab_size(), (3, 40), generator=g), torch.tensor([chat])]


def save_checkpoint(ws, run_id, model, **meta) -> None:
    ckpt.save(
        ws.run_dir(run_id) / "checkpoints",
        1,
        model,
        {
            "stage": "pretrain",
            "run_id": run_id,
            "model_config": model.cfg.to_dict(),
            "tokenizer_hash": tokenizer_hash(ws.tokenizer_path),
            **meta,
        },
    )


# -- export -----------------------------------------------------------------------------------


def edit_config(folder, **changes):
    c = json.loads((folder / "config.json").read_text())
    for k, v in changes.items():
        if v is None:
            c.pop(k, None)
        else:
            c[k] = v
    (folder / "config.json").write_text(json.dumps(c))
