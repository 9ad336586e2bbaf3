"""python -m bench NAME [--json]: LM Dojo's benchmarks (speed and memory are measured here, not in tests)."""
from __future__ import annotations

import argparse
import importlib
import json
import sys

BENCHES = {"gui_latency": "bench.gui_latency", "clean_speed": "bench.clean_speed",
           "train_speed": "bench.train_speed", "generate_speed": "bench.generate_speed"}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench")
    p.add_argument("name", choices=sorted(BENCHES))
    p.add_argument("--json", action="store_true", help="print the result as one JSON object on the last line")
    p.add_argument("--seconds", type=float, default=20.0, help="gui_latency: how long to measure")
    p.add_argument("--mb", type=float, default=100.0, help="clean_speed: corpus size in MB")
    args = p.parse_args(argv)
    module = importlib.import_module(BENCHES[args.name])
    result = module.run(args.seconds, args.mb) if args.name == "clean_speed" else module.run(args.seconds)
    if args.json:
        print(json.dumps(result))
    else:
        for k, v in result.items():
            print(f"{k:>24}: {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
