"""python -m bench NAME [--json]: LM Dojo's benchmarks (speed and memory are measured here, not in tests)."""

from __future__ import annotations

import argparse
import importlib
import json
import sys

BENCHES = {
    "gui_latency": "bench.gui_latency",
    "clean_speed": "bench.clean_speed",
    "train_speed": "bench.train_speed",
    "generate_speed": "bench.generate_speed",
    "memory": "bench.memory",
    "data_speed": "bench.data_speed",
    "gpu": "bench.gpu",
}
MB_DEFAULT = {"clean_speed": 100.0, "memory": 1000.0, "data_speed": 20.0}  # benches that take --mb


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench")
    p.add_argument("name", choices=sorted(BENCHES))
    p.add_argument("--json", action="store_true", help="print the result as one JSON object on the last line")
    p.add_argument("--seconds", type=float, default=20.0, help="gui_latency: how long to measure")
    p.add_argument(
        "--mb",
        type=float,
        default=None,
        help="corpus size in MB: clean_speed (default 100), memory (default 1000), data_speed (default 20)",
    )
    p.add_argument("--device", default="auto", help="gpu: where to run (auto, cuda, cuda:N, cpu)")
    p.add_argument("--smallest", action="store_true", help="gpu: tiny shapes and steps (seconds on a CPU)")
    p.add_argument(
        "--workspace",
        default=None,
        help="gpu: a prepared workspace (its token shards) to copy and train in; prepared there if missing",
    )
    p.add_argument("--prepare-only", action="store_true", help="gpu: prepare --workspace and stop")
    args = p.parse_args(argv)
    from engine.malloc import tune

    tune()  # as lmdojo and lmdojo-cli do first: the benches measure what users run
    module = importlib.import_module(BENCHES[args.name])
    if args.name == "gpu":
        result = module.run(
            args.seconds, args.device, args.smallest, workspace=args.workspace, prepare_only=args.prepare_only
        )
    elif args.name in MB_DEFAULT:
        result = module.run(args.seconds, args.mb if args.mb is not None else MB_DEFAULT[args.name])
    else:
        result = module.run(args.seconds)
    if args.json:
        print(json.dumps(result))
    else:
        for k, v in result.items():
            print(f"{k:>24}: {v}")
    return 1 if result.get("errors") else 0  # gpu: a part that failed (the others still ran)


if __name__ == "__main__":
    sys.exit(main())
