"""python -m bench gpu [--json]: one check of a CUDA machine in one run, each part under its own cap.

Parts, in order (bench/gpu_parts.py); a part that fails or does not apply says why in the JSON
(`parts`, `errors`, `skipped`) and the others still run:

  peak          the best bf16 matmul FLOP/s over square shapes 2048, 4096 and 8192 (fp32 on a CPU):
                MFU's denominator, measured, so MFU <= 1 means something
  pretrain_*    the small and medium presets, a fixed number of steps through the engine's own loop
                (bf16 autocast), eager and with compile=true: tokens/s and MFU (the engine's FLOPs
                count, engine/train/estimate.py, over the peak)
  vs_hf_*       our training step against transformers' LlamaForCausalLM of the same shape and
                dtype, stepped in turns (bench/train_speed.py): ratio ours/theirs of tokens/s
  generation    our KV-cache decoding against transformers' `generate` on the same weights (the
                small preset's shape, 16 prompt + 256 new tokens, greedy), batch 1 and 8
  sft, dpo      a few steps of each, from the small preset's pretrained checkpoint
  oom           this process's GPU memory capped small, a batch far past it: the loop must halve
                its micro-batch until a step fits (oom_halving_seen, with the sizes it went through)

The caps add up to under 8 minutes; on an H100-class GPU the whole takes about half that (the
two compilations are most of it), so it fits one 15-minute device session with time to rerun.
The exit status is 1 when a part failed (its error is in the JSON), else 0.

On a GPU machine. Its training path needs torch, numpy, tokenizers and safetensors (and
transformers for the comparisons); not PySide6, pyqtgraph, ftfy or datasketch, which only the app
and data cleaning use. Prepare the workspace where the full install is (a few seconds: the demo
world, its tokenizer and token shards), copy it along with the repository, run it there:

    python -m bench gpu --workspace /tmp/gpu-ws --prepare-only      # here: builds /tmp/gpu-ws
    PYTHONPATH=. python3 -m bench gpu --workspace gpu-ws --json     # there, from the repository

A given workspace is copied to a temporary folder and trained there, so the prepared one stays as
it was and a rerun starts the same; one that does not exist yet is prepared first. Without
--workspace a demo workspace is made in a temporary folder.

On a CPU, in seconds (tiny shapes and steps; what tests/engine/test_bench_gpu.py runs):

    python -m bench gpu --device cpu --smallest --json

There the OOM part is skipped ("cpu": the loop's halving catches CUDA's out-of-memory error), and so
is compile=true: for a CPU inductor builds C++ (50 s for the smallest model on two cores, five times
the whole check), and the config's own help says compilation does not pay on a CPU.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import torch

from bench import gpu_parts as parts


@dataclass(frozen=True)
class Plan:
    peak_shapes: tuple[int, ...]
    peak_seconds: float  # per shape
    presets: dict  # preset -> knobs overriding it (the smallest plan shrinks them)
    steps: int
    warmup: int  # steps left out of the timing (the first one compiles)
    compare_rounds: int
    prompt: int
    new_tokens: int
    sft: dict
    dpo: dict
    oom_batch: int = 128  # the small preset's rows of 512 tokens: tens of GB of activations at once
    oom_limit_gb: float = 2.0  # its weights and optimizer state take about 0.5 GB
    caps: dict = field(
        default_factory=lambda: {
            "peak": 15,
            "pretrain_eager": 30,
            "pretrain_compile": 90,  # most of it compiling (fwd + bwd); 40 steps take seconds
            "vs_hf": 30,
            "generation": 45,
            "sft": 30,
            "dpo": 30,
            "oom": 45,
        }
    )


FULL = Plan(
    peak_shapes=(2048, 4096, 8192),
    peak_seconds=1.0,
    presets={"small": {}, "medium": {}},
    steps=40,
    warmup=10,
    compare_rounds=20,
    prompt=16,
    new_tokens=256,
    sft={"max_steps": 20, "batch_size": 16},
    dpo={"max_steps": 10, "batch_size": 8},
)
SMALLEST = Plan(
    peak_shapes=(256, 512),
    peak_seconds=0.25,
    presets={
        # the small one keeps a context that the demo's chat examples and preference pairs fit
        "small": {"n_layer": 2, "n_head": 2, "n_embd": 32, "block_size": 96, "batch_size": 4},
        "medium": {"n_layer": 2, "n_head": 2, "n_embd": 64, "block_size": 64, "batch_size": 4},
    },
    steps=6,
    warmup=2,
    compare_rounds=3,
    prompt=8,
    new_tokens=24,
    sft={"max_steps": 3, "batch_size": 4, "eval_prompts": 0},
    dpo={"max_steps": 2, "batch_size": 4},
)
GEN_BATCHES = (1, 8)


def prepare_workspace(root: Path, smallest: bool = False):
    """The demo world, its tokenizer and token shards in a new workspace at `root` (as the tests'
    fixture makes it: smaller with `smallest`)."""
    from engine.config import TokenizerConfig
    from engine.data import tokenize
    from engine.data.demo import DemoConfig, write_demo_world
    from engine.io.workspace import Workspace

    ws = Workspace.create(root)
    write_demo_world(root, DemoConfig(seed=0, people=30, augment_versions=2, stories=20) if smallest else DemoConfig())
    for _ in tokenize.run(ws, TokenizerConfig(vocab_size=512, val_fraction=0.1) if smallest else TokenizerConfig()):
        pass
    return ws


def _scratch_copy(src: Path, dst: Path):
    """A copy of the prepared workspace without its runs and database: this check's runs go there."""
    from engine.io.workspace import Workspace

    Workspace.open(src)  # a folder that is no workspace is said as such, before copying

    def skip(folder, names):
        if Path(folder) != src:
            return []
        return [n for n in names if n in ("runs", "exports", ".dojo.lock") or n.startswith("dojo.sqlite")]

    shutil.copytree(src, dst, ignore=skip)
    for name in ("runs", "exports"):
        (dst / name).mkdir(exist_ok=True)
    return Workspace.open(dst)


class _Parts:
    """Runs the parts in turn: times each, keeps its result, and records a skip or an error with
    its reason instead of stopping the check."""

    def __init__(self):
        self.report: dict = {}

    def __call__(self, name: str, cap_s: float | None, fn):
        start = time.perf_counter()
        entry: dict = {"cap_s": cap_s}
        try:
            result = fn()
            entry["status"] = "ok"
        except parts.Skip as e:
            result, entry["status"], entry["reason"] = None, "skipped", str(e)
        except Exception as e:  # a failed part is a finding to report, not the end of the check
            result, entry["status"], entry["error"] = None, "error", f"{type(e).__name__}: {e}"
        entry["seconds"] = round(time.perf_counter() - start, 2)
        self.report[name] = entry
        detail = entry.get("reason") or entry.get("error") or ""
        print(f"[bench gpu] {name}: {entry['status']} in {entry['seconds']} s {detail}", file=sys.stderr, flush=True)
        return result


def run(
    seconds: float = 0.0,
    device: str = "auto",
    smallest: bool = False,
    workspace: str | None = None,
    prepare_only: bool = False,
) -> dict:
    if prepare_only:
        if not workspace:
            raise SystemExit("--prepare-only needs --workspace PATH: where to prepare it")
        path = Path(workspace)
        created = not path.exists()
        if created:
            prepare_workspace(path, smallest)
        return {"workspace": str(path.resolve()), "prepared": created}
    from engine.errors import ConfigError
    from engine.train.loop import resolve_device

    try:
        dev = resolve_device(device)
    except ConfigError as e:
        raise SystemExit(str(e)) from None
    plan = SMALLEST if smallest else FULL
    with tempfile.TemporaryDirectory(prefix="lmdojo-bench-gpu-") as tmp:
        start = time.perf_counter()
        step = _Parts()

        def open_ws():
            if workspace is None:
                return prepare_workspace(Path(tmp) / "ws", smallest)
            if not Path(workspace).exists():
                prepare_workspace(Path(workspace), smallest)
            return _scratch_copy(Path(workspace), Path(tmp) / "ws")

        ws = step("workspace", None, open_ws)
        out = _header(dev, smallest)
        if ws is None:
            out["error"] = step.report["workspace"]["error"]
        else:
            out |= _check(ws, dev, plan, step)
        out["parts"] = step.report
        out["skipped"] = {k: v["reason"] for k, v in step.report.items() if v["status"] == "skipped"}
        out["errors"] = {k: v["error"] for k, v in step.report.items() if v["status"] == "error"}
        out["total_s"] = round(time.perf_counter() - start, 1)
        return out


def _header(dev: torch.device, smallest: bool) -> dict:
    try:
        import transformers

        hf_version = transformers.__version__
    except ImportError:
        hf_version = None
    name = torch.cuda.get_device_name(dev) if dev.type == "cuda" else f"{dev.type} ({torch.get_num_threads()} threads)"
    return {"device": name, "torch": torch.__version__, "transformers": hf_version, "smallest": smallest}


def _check(ws, dev: torch.device, plan: Plan, step: _Parts) -> dict:
    cuda = dev.type == "cuda"
    bf16 = cuda and torch.cuda.is_bf16_supported()
    amp = torch.bfloat16 if bf16 else None
    dtype = "bf16" if bf16 else "fp32"
    caps = plan.caps
    out: dict = {"dtype": dtype}

    pk = step("peak", caps["peak"], lambda: parts.peak(dev, amp or torch.float32, plan.peak_shapes, plan.peak_seconds))
    peak_flops = pk["tflops"] * 1e12 if pk else None
    out["peak_tflops"], out["peak"] = (pk or {}).get("tflops"), pk

    presets, models = {}, {}
    for preset, shape in plan.presets.items():
        entry = presets[preset] = {}
        for mode in ("eager", "compile"):
            cap = caps[f"pretrain_{mode}"]

            def pretrain(mode=mode, cap=cap, preset=preset, shape=shape):
                if mode == "compile" and not cuda:
                    raise parts.Skip(
                        "cpu: inductor builds C++ for a CPU, longer than the whole check (and compile does not pay there)"
                        if dev.type == "cpu"
                        else f"{dev.type}: compile=true is timed on CUDA only"
                    )
                cfg, mc = parts.pretrain_config(ws, preset, shape, dev, dtype, mode == "compile", plan.steps, cap)
                entry.setdefault("shape", parts.describe(cfg, mc))
                models.setdefault(preset, mc)
                return parts.pretrain_speed(ws, cfg, mc, plan.warmup, peak_flops)

            entry[mode] = step(f"pretrain_{preset}_{mode}", cap, pretrain)
            parts.free_memory(dev)
    for preset, mc in models.items():
        batch = presets[preset]["shape"]["batch_size"]
        presets[preset]["vs_hf"] = step(
            f"vs_hf_{preset}",
            caps["vs_hf"],
            lambda mc=mc, batch=batch: parts.vs_hf(mc, batch, dev, amp, plan.compare_rounds, caps["vs_hf"]),
        )
        parts.free_memory(dev)
    out["presets"] = presets
    out["ratio_vs_hf"] = {p: (e.get("vs_hf") or {}).get("ratio") for p, e in presets.items()}

    def generation():
        if "small" not in models:
            raise parts.Skip("the small preset's shape is unknown: its pretraining failed")
        gen_dtype = amp or torch.float32
        return parts.generation(models["small"], dev, gen_dtype, plan.prompt, plan.new_tokens, GEN_BATCHES, 2)

    gen = out["generation"] = step("generation", caps["generation"], generation)
    out["generation_ratio_vs_hf"] = {f"b{b}": gen[f"b{b}"]["ratio"] for b in GEN_BATCHES} if gen else None
    parts.free_memory(dev)

    runs = [r["run"] for p in presets.values() for r in (p.get("eager"), p.get("compile")) if r]
    sft = step("sft", caps["sft"], lambda: _finetune(ws, "sft", runs[:1], plan.sft, dev, dtype, caps["sft"]))
    sft_run = [sft["run"]] if sft and sft.get("ok") else []
    prefs = str(ws.data_dir / "prefs" / "train.jsonl")  # the file: the workspace's store stays as it was
    dpo_sets = {**plan.dpo, "prefs": prefs}
    dpo = step("dpo", caps["dpo"], lambda: _finetune(ws, "dpo", sft_run, dpo_sets, dev, dtype, caps["dpo"]))
    out |= {"sft": sft, "dpo": dpo, "sft_ok": bool(sft and sft["ok"]), "dpo_ok": bool(dpo and dpo["ok"])}
    parts.free_memory(dev)

    oom = step(
        "oom", caps["oom"], lambda: parts.oom_halving(ws, dev, dtype, plan.oom_batch, plan.oom_limit_gb, caps["oom"])
    )
    out["oom"] = oom
    out["oom_halving_seen"] = oom["seen"] if oom else None
    return out


def _finetune(ws, stage: str, base: list[str], sets: dict, dev, dtype: str, cap: float) -> dict:
    if not base:
        raise parts.Skip(
            f"nothing to start {stage} from: " + ("no pretraining run" if stage == "sft" else "SFT failed")
        )
    return parts.finetune(ws, stage, base[0], sets, dev, dtype, cap)
