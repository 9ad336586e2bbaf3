"""python -m bench NAME [--json]: LM Dojo's benchmarks (speed and memory are measured here, not in tests)."""
from __future__ import annotations

import argparse
import importlib
import json
import sys

BENCHES = {"gui_latency": "bench.gui_latency"}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench")
    p.add_argument("name", choices=sorted(BENCHES))
    p.add_argument("--json", action="store_true", help="print the result as one JSON object on the last line")
    p.add_argument("--seconds", type=float, default=20.0, help="how long to measure")
    args = p.parse_args(argv)
    result = importlib.import_module(BENCHES[args.name]).run(args.seconds)
    if args.json:
        print(json.dumps(result))
    else:
        for k, v in result.items():
            print(f"{k:>24}: {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
