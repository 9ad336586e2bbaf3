"""Export a run for a cluster (engine/io/cluster.py): the bundle's launch script, run as written on a
"cluster" copy of the workspace, trains the run's config on two torchrun processes; bad requests
are refused with the field named."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from engine.cli import main
from engine.errors import DojoError
from engine.io.cluster import export_for_cluster
from engine.io.store import Store
from engine.io.workspace import Workspace
from engine.train import pretrain
from tests.conftest import TINY, run_events

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def run_ws(ws):
    """The demo workspace with one short pretraining run on the CPU (batch 4, 3 steps)."""
    r = run_events(pretrain.run(ws, pretrain.make_config(sets={**TINY, "max_steps": "3", "device": "cpu"})))
    return ws, r[-1].result["run"]


def test_launch_script_trains_the_run_on_two_processes(run_ws, tmp_path, one_thread):
    ws, run_id = run_ws
    torchrun = Path(sys.executable).parent / "torchrun"
    if not torchrun.exists():
        pytest.skip("torchrun is not installed next to this Python")
    cluster = tmp_path / "cluster" / "ws"  # the workspace copied to "the cluster"
    shutil.copytree(ws.root, cluster)
    r = export_for_cluster(ws, run_id, tmp_path / "bundle", nodes=1, gpus_per_node=2, remote_workspace=str(cluster))
    assert r["world_size"] == 2 and r["files"] == ["README.txt", "launch.sh", "run.toml", "slurm.sbatch"]
    assert r["command"].endswith(
        'torchrun --standalone --nproc_per_node 2 -m engine.cli pretrain "$WS" --config run.toml'
    )
    toml = (tmp_path / "bundle" / "run.toml").read_text()
    assert 'device = "auto"' in toml and 'device = "cpu"' not in toml and "max_steps = 3" in toml
    sbatch = (tmp_path / "bundle" / "slurm.sbatch").read_text()
    assert "#SBATCH --nodes=1" in sbatch and "--gpus-per-node=2" in sbatch and "srun torchrun" in sbatch

    env = {
        **os.environ,
        "PATH": f"{torchrun.parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": str(ROOT),
        "OMP_NUM_THREADS": "1",
        "CUDA_VISIBLE_DEVICES": "",
    }
    env.pop("WS", None)  # the script's own default: the cluster's copy
    p = subprocess.run(
        ["bash", str(tmp_path / "bundle" / "launch.sh")], env=env, capture_output=True, text=True, timeout=180
    )
    assert p.returncode == 0, p.stderr[-3000:]
    with Store(Workspace.open(cluster).db_path) as store:
        runs = [x for x in store.runs("pretrain") if x["id"] != run_id]
        assert len(runs) == 1 and runs[0]["status"] == "done"  # one new run, written by rank 0 alone
        assert [s for s, _ in store.metrics(runs[0]["id"], "train/loss")] == [1, 2, 3]
    with Store(ws.db_path) as store:
        assert [x["id"] for x in store.runs()] == [run_id]  # the local workspace was not touched


def test_multi_node_commands_use_a_rendezvous(run_ws, tmp_path):
    ws, run_id = run_ws
    r = export_for_cluster(ws, run_id, tmp_path / "b", nodes=2, gpus_per_node=2, hours=3)
    launch = (tmp_path / "b" / "launch.sh").read_text()
    assert "--nnodes 2 --nproc_per_node 2 --rdzv_backend c10d" in launch and '"${HEAD:?set HEAD}:29500"' in launch
    sbatch = (tmp_path / "b" / "slurm.sbatch").read_text()
    assert '--rdzv_id "$SLURM_JOB_ID"' in sbatch and "#SBATCH --time=3:00:00" in sbatch
    assert r["remote_workspace"] == str(ws.root)
    # exporting again into the same folder replaces the bundle
    export_for_cluster(ws, run_id, tmp_path / "b", nodes=1, gpus_per_node=4)
    assert "--standalone --nproc_per_node 4" in (tmp_path / "b" / "launch.sh").read_text()


def test_refusals_name_the_problem(run_ws, tmp_path):
    ws, run_id = run_ws
    with pytest.raises(DojoError, match=r"batch_size 4 does not split over 8 processes.*multiple of 8"):
        export_for_cluster(ws, run_id, tmp_path / "x", nodes=1, gpus_per_node=8)
    with pytest.raises(DojoError, match="no run 'nope'"):
        export_for_cluster(ws, "nope", tmp_path / "x")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("mine")
    with pytest.raises(DojoError, match="not empty"):
        export_for_cluster(ws, run_id, tmp_path / "mine", gpus_per_node=2)
    with pytest.raises(DojoError, match="at least 1"):
        export_for_cluster(ws, run_id, tmp_path / "x", gpus_per_node=0)
    assert not (tmp_path / "x").exists()


def test_cli(run_ws, tmp_path, capsys):
    ws, run_id = run_ws
    assert main(["cluster", str(ws.root), "--run", run_id, "--gpus-per-node", "4", str(tmp_path / "c"), "--json"]) == 0
    out = json.loads(capsys.readouterr().out.splitlines()[-1])
    assert out["world_size"] == 4 and Path(out["path"], "launch.sh").exists()
    assert main(["cluster", str(ws.root), "--run", run_id, "--gpus-per-node", "3", str(tmp_path / "d")]) == 2
    assert "batch_size 4 does not split over 3" in capsys.readouterr().err
