"""Offline CLI: what is a site's data worth?

python -m methodology compute --readings FILE.csv --capacity-w N [--factors FILE.csv] [--json]
"""

import argparse
import sys

from methodology.compute import Result, compute
from methodology.errors import MethodologyError
from methodology.factors import load_factors
from methodology.fiscal import to_iso
from methodology.readings import load_readings

EXIT_DATA_ERROR = 2


def _table(result: Result) -> str:
    lines = []
    header = (
        f"{'start (JST)':<25} {'end (JST)':<25} {'FY':>4} {'generation Wh':>14} "
        f"{'export Wh':>14} {'self-cons. Wh':>14} {'reduction g':>12}  status"
    )
    lines += [header, "-" * len(header)]
    for p in result.periods:
        status = "ok" if p.valid else "INVALID: " + "; ".join(p.problems)
        lines.append(
            f"{to_iso(p.start):<25} {to_iso(p.end):<25} {p.fiscal_year:>4} {p.generation_wh:>14} "
            f"{p.export_wh:>14} {p.self_consumed_wh:>14} {p.reduction_g:>12}  {status}"
        )
    if not result.periods:
        lines.append("(no complete period: the data of every meter must cover a month boundary)")
    lines += ["", f"{'fiscal year':>11} {'reduction g':>14} {'credits t-CO2':>14}"]
    lines += [f"{c.fiscal_year:>11} {c.reduction_g:>14} {c.credits_t:>14}" for c in result.credits]
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m methodology", description=__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("compute", help="periods, reductions and credits of one site")
    run.add_argument(
        "--readings", required=True, help="readings CSV (timestamp,meter,kind,cumulative_wh)"
    )
    run.add_argument("--capacity-w", required=True, type=int, help="plant capacity in W")
    run.add_argument("--factors", help="emission factor CSV (default: the shipped table)")
    run.add_argument("--json", action="store_true", help="one JSON object on stdout")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        factors = load_factors(args.factors)
        result = compute(load_readings(args.readings), args.capacity_w, factors, args.readings)
    except MethodologyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_DATA_ERROR
    print(result.to_json() if args.json else _table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
