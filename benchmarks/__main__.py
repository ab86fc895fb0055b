"""Run every benchmark module (`make bench`); each writes its JSON under out/bench/."""

import importlib
import pkgutil
import sys
from pathlib import Path

import benchmarks

OUT_DIR = Path("out/bench")


def main() -> int:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    only = set(sys.argv[1:])
    names = sorted(
        module.name
        for module in pkgutil.iter_modules(benchmarks.__path__)
        if module.name.startswith("bench_")
    )
    for name in names:
        if only and name not in only:
            continue
        print(f"== {name}", flush=True)
        importlib.import_module(f"benchmarks.{name}").main(OUT_DIR)
    return 0


if __name__ == "__main__":
    sys.exit(main())
