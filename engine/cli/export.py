"""Models in and out of LM Dojo from a terminal: `export` (a run as a Hugging Face Llama folder, with
its LoRA adapters in PEFT's layout) and `import` (a Hugging Face Llama folder as a run to train on).

    lmdojo-cli export WS --run RUN --format hf OUT [--json]
    lmdojo-cli import WS FOLDER [--json]
    lmdojo-cli cluster WS --run RUN OUT [--nodes N] [--gpus-per-node G] [--remote-ws PATH] [--json]

"""

from __future__ import annotations

from engine.cli.common import emit


def cmd_export(args) -> int:
    from engine.io.hf_export import export_hf
    from engine.io.workspace import Workspace

    ws = Workspace.open(args.workspace)
    r = export_hf(ws, args.run, args.out)
    text = f"exported {r['run']} ({r['params']:,} parameters) to {r['path']}: {', '.join(r['files'])}"
    if r["adapter"]:
        text += f"\nLoRA adapters in PEFT's layout: {r['adapter']}"
    emit(args, r, text)
    return 0


def cmd_import(args) -> int:
    from engine.io.hf_import import import_hf
    from engine.io.workspace import Workspace

    ws = Workspace.open(args.workspace)
    r = import_hf(ws, args.folder)
    emit(
        args,
        r,
        f"imported {r['source']} as run {r['run']} ({r['params']:,} parameters; tokenizer "
        f"{r['tokenizer']})\ntrain on it with: lmdojo-cli sft {args.workspace} --from {r['run']}",
    )
    return 0


def cmd_cluster(args) -> int:
    from engine.io.cluster import export_for_cluster
    from engine.io.workspace import Workspace

    ws = Workspace.open(args.workspace)
    r = export_for_cluster(ws, args.run, args.out, args.nodes, args.gpus_per_node, args.remote_ws, args.hours)
    emit(
        args,
        r,
        f"wrote {', '.join(r['files'])} to {r['path']} ({r['world_size']} processes)\n"
        f"start it on the cluster with:\n  {r['command']}\nor: sbatch slurm.sbatch",
    )
    return 0


def add_export_parsers(add) -> None:
    s = add(
        "export",
        cmd_export,
        "Write a run as a Hugging Face Llama folder (transformers, PEFT, llama.cpp's convert_hf_to_gguf.py read it).",
    )
    s.add_argument("--run", required=True, help="run id (its latest checkpoint) or a checkpoint folder")
    s.add_argument("--format", default="hf", choices=("hf",), help="hf: Hugging Face (Llama) folder")
    s.add_argument("out", help="folder to write (new, empty, or an earlier export, which is replaced)")

    s = add(
        "cluster",
        cmd_cluster,
        "Write a run's config and the torchrun / Slurm commands that train it on a cluster's GPUs.",
    )
    s.add_argument("--run", required=True, help="the run whose config to export")
    s.add_argument("--nodes", type=int, default=1, help="machines (default 1)")
    s.add_argument("--gpus-per-node", type=int, default=8, help="GPUs on each machine (default 8)")
    s.add_argument("--remote-ws", default="", help="where the workspace lives on the cluster (default: this path)")
    s.add_argument("--hours", type=int, default=12, help="Slurm time limit (default 12)")
    s.add_argument("out", help="folder to write (new, empty, or an earlier cluster export, which is replaced)")

    s = add(
        "import", cmd_import, "Turn a Hugging Face Llama folder into a run that sft/dpo/… can start from (--from RUN)."
    )
    s.add_argument("folder", help="folder with config.json, model.safetensors and tokenizer.json")
