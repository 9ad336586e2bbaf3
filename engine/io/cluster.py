"""Export a run for a cluster: its config and the exact torchrun / Slurm commands that train it on
many GPUs, written into a folder to copy next to the workspace on the cluster.

    bundle = export_for_cluster(ws, "pretrain-20261123-154200", "to-cluster", nodes=2, gpus_per_node=8)

The folder holds `run.toml` (the run's config: device `auto`, paths inside the workspace moved to
where it lives on the cluster), `launch.sh` (torchrun on one machine, or on each machine of several),
`slurm.sbatch` (one job over all nodes) and `README.txt` (what to copy, how to start, what changes).
The same config trains the same on 1 GPU or many: `batch_size` is global (see engine/train/dist.py).
"""

from __future__ import annotations

import shlex
from pathlib import Path

import tomllib

from engine.errors import DojoError
from engine.io.fsutil import atomic_write_text, check_output_dir
from engine.io.store import Store
from engine.train import STAGES

PORT = 29500


def export_for_cluster(
    ws,
    run_id: str,
    out: str | Path,
    nodes: int = 1,
    gpus_per_node: int = 8,
    remote_workspace: str = "",
    hours: int = 12,
) -> dict:
    """Write the bundle for `run_id` into `out` (created; an existing bundle there is replaced, any
    other non-empty folder refused). Returns the paths, the world size and the commands."""
    if nodes < 1 or gpus_per_node < 1:
        raise DojoError(f"nodes and gpus per node must be at least 1, got {nodes} and {gpus_per_node}")
    if hours < 1:
        raise DojoError(f"hours must be at least 1, got {hours}")
    with Store(ws.db_path) as store:
        run = store.run(run_id)
    if run is None:
        raise DojoError(f"no run {run_id!r} in {ws.root}")
    stage = run["stage"]
    if stage not in STAGES:  # every training stage runs under torchrun (engine/train/loop.py)
        raise DojoError(f"run {run_id} is a {stage} run; torchrun trains {', '.join(STAGES)}")
    config_path = ws.run_dir(run_id) / "config.toml"
    try:
        config = tomllib.loads(config_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DojoError(f"run {run_id} has no config: {config_path} is missing") from None
    except tomllib.TOMLDecodeError as e:
        raise DojoError(f"{config_path}: {e}") from None
    world = nodes * gpus_per_node
    batch = config.get("batch_size")
    if isinstance(batch, int) and batch % world:
        raise DojoError(
            f"{config_path}: batch_size {batch} does not split over {world} processes "
            f"({nodes} × {gpus_per_node}); choose a multiple of {world}, e.g. "
            f"{max(world, round(batch / world) * world)}"
        )

    remote = remote_workspace or str(ws.root)
    text = _config_text(config_path.read_text(encoding="utf-8"), str(ws.root), remote)
    out = Path(out)
    check_output_dir(out, "cluster", legacy=lambda f: (f / "run.toml").is_file())
    out.mkdir(parents=True, exist_ok=True)

    launch = _torchrun(stage, nodes, gpus_per_node, rdzv_id="lmdojo-" + run_id, head="${HEAD:?set HEAD}")
    sbatch_torchrun = _torchrun(stage, nodes, gpus_per_node, rdzv_id='"$SLURM_JOB_ID"', head="$head")
    files = {
        "run.toml": text,
        "launch.sh": _launch_sh(run_id, stage, nodes, gpus_per_node, remote, launch),
        "slurm.sbatch": _sbatch(run_id, nodes, gpus_per_node, hours, remote, sbatch_torchrun),
        "README.txt": _readme(run_id, stage, nodes, gpus_per_node, remote, str(ws.root), batch),
    }
    for name, content in files.items():
        atomic_write_text(out / name, content)
    for name in ("launch.sh", "slurm.sbatch"):
        (out / name).chmod(0o755)
    command = f"WS={shlex.quote(remote)} " + launch.replace("\\\n    ", "")
    return {
        "run": run_id,
        "stage": stage,
        "path": str(out),
        "files": sorted(files),
        "world_size": world,
        "nodes": nodes,
        "gpus_per_node": gpus_per_node,
        "remote_workspace": remote,
        "command": command,
    }


def _config_text(text: str, local_root: str, remote_root: str) -> str:
    """The run's TOML with device auto (each process takes its own GPU) and the workspace's
    paths moved to the cluster's copy; everything else as the run had it."""
    lines = []
    for line in text.splitlines():
        key = line.split("=", 1)[0].strip()
        if key == "device":
            line = 'device = "auto"'
        elif local_root and local_root != remote_root and local_root in line:
            line = line.replace(local_root, remote_root)
        lines.append(line)
    return "# exported by LM Dojo for a cluster (device set to auto)\n" + "\n".join(lines) + "\n"


def _torchrun(stage: str, nodes: int, gpus: int, rdzv_id: str, head: str) -> str:
    if nodes == 1:
        where = f"--standalone --nproc_per_node {gpus}"
    else:
        where = (
            f"--nnodes {nodes} --nproc_per_node {gpus} --rdzv_backend c10d --rdzv_id {rdzv_id} \\\n    "
            f'--rdzv_endpoint "{head}:{PORT}"'
        )
    return f'torchrun {where} \\\n    -m engine.cli {stage} "$WS" --config run.toml'


def _launch_sh(run_id, stage, nodes, gpus, remote, torchrun) -> str:
    where = "this machine" if nodes == 1 else f"each of the {nodes} machines (HEAD = the first one's address)"
    return f"""#!/usr/bin/env bash
# LM Dojo: the {stage} run {run_id} on {nodes} node(s) x {gpus} GPU(s). Start it on {where}.
# WS is the workspace on the cluster (override: WS=/path ./launch.sh).
set -euo pipefail
WS=${{WS:-{shlex.quote(remote)}}}
cd "$(dirname "$0")"
{torchrun}
"""


def _sbatch(run_id, nodes, gpus, hours, remote, torchrun) -> str:
    return f"""#!/bin/bash
#SBATCH --job-name=lmdojo-{stage_safe(run_id)}
#SBATCH --nodes={nodes} --ntasks-per-node=1 --gpus-per-node={gpus} --cpus-per-task={max(4, 4 * gpus)}
#SBATCH --time={hours}:00:00
# LM Dojo: {run_id} on {nodes} node(s) x {gpus} GPU(s). Submit from this folder: sbatch slurm.sbatch
set -euo pipefail
WS=${{WS:-{shlex.quote(remote)}}}
head=$(scontrol show hostnames "$SLURM_JOB_NODELIST" | head -n 1)
srun {torchrun}
"""


def stage_safe(run_id: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in run_id)


def _readme(run_id, stage, nodes, gpus, remote, local, batch) -> str:
    world = nodes * gpus
    per = f"{batch // world} sequences per process per step" if isinstance(batch, int) else "its share"
    return f"""LM Dojo — {stage} run {run_id}, exported for {nodes} node(s) x {gpus} GPU(s) = {world} processes.

1. Copy the workspace to a filesystem every node reads, at {remote}
   (for example: rsync -a {shlex.quote(local)}/ CLUSTER:{shlex.quote(remote)}/ — it holds the tokenizer,
   the token shards, the database and the checkpoints this run starts from).
2. Install LM Dojo there (pip install with the CUDA build of torch), and copy this folder.
3. Start it: {"./launch.sh" if nodes == 1 else "HEAD=first-node ./launch.sh on every node"}, or sbatch slurm.sbatch.

The config is the run's own (run.toml): batch_size is global, so each process trains {per}
and the run learns as it did on one device, only faster. Rank 0 alone writes the run, its
metrics and checkpoints into the workspace; copy the workspace back to compare it in the app.
Stop with Ctrl-C or scancel; resume with: lmdojo-cli {stage} WS --resume RUN (under torchrun too).
"""
