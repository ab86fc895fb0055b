"""Offline CLI: what is a site's data worth?

python -m methodology compute --readings FILE.csv --capacity-w N [--factors FILE.csv] [--json]
    [--application-date YYYY-MM-DD] [--monitoring-date YYYY-MM-DD] [--scheme FILE.csv] [--battery]
"""

import argparse
import sys

from methodology.compute import Result, compute
from methodology.eligibility import CreditingPeriod, crediting_period
from methodology.errors import MethodologyError
from methodology.factors import load_factors
from methodology.fiscal import parse_time, to_iso
from methodology.readings import load_readings
from methodology.scheme import load_scheme

EXIT_DATA_ERROR = 2


def _crediting_line(crediting: CreditingPeriod) -> str:
    """One line: the crediting period used, what it came from, whether its rules are verified."""
    scheme = crediting.scheme
    dates = (("application", crediting.application), ("monitoring", crediting.monitoring))
    given = [f"{what} {to_iso(ts)}" for what, ts in dates if ts is not None]
    line = (
        f"crediting period {to_iso(crediting.start)} .. {to_iso(crediting.end)} (from "
        f"{' and '.join(given)}; at most {scheme.crediting_years} years, scheme end "
        f"{to_iso(scheme.scheme_end)})"
    )
    unverified = scheme.unverified()
    if unverified:
        line += f"; scheme parameters {', '.join(unverified)} are unverified placeholders"
    return line


def _table(result: Result) -> str:
    lines = [_crediting_line(result.crediting), ""] if result.crediting else []
    header = (
        f"{'start (JST)':<25} {'end (JST)':<25} {'FY':>4} {'generation Wh':>14} "
        f"{'export Wh':>14} {'self-cons. Wh':>14} {'reduction g':>12}  status"
    )
    lines += [header, "-" * len(header)]
    # The energies subtracted from the self-consumption, when the site has such meters.
    extra = [
        (title, attr)
        for title, attr in (
            ("auxiliary Wh", "auxiliary_wh"),
            ("batt. in Wh", "battery_charge_wh"),
            ("batt. out Wh", "battery_discharge_wh"),
        )
        if any(getattr(p, attr) for p in result.periods)
    ]
    if extra:
        cut = header.index(f"{'self-cons. Wh':>14}")
        header = header[:cut] + "".join(f"{title:>13} " for title, _ in extra) + header[cut:]
        lines[-2:] = [header, "-" * len(header)]
    for p in result.periods:
        status = "ok" if p.valid else "INVALID: " + "; ".join(p.problems)
        subtracted = "".join(f"{getattr(p, attr):>13} " for _, attr in extra)
        lines.append(
            f"{to_iso(p.start):<25} {to_iso(p.end):<25} {p.fiscal_year:>4} {p.generation_wh:>14} "
            f"{p.export_wh:>14} {subtracted}{p.self_consumed_wh:>14} {p.reduction_g:>12}  {status}"
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
    run.add_argument(
        "--application-date",
        type=_time,
        help="registration application date: with --monitoring-date, the later one starts the "
        "crediting period and only periods inside it are reported",
    )
    run.add_argument(
        "--monitoring-date",
        type=_time,
        help="date monitoring became possible (see --application-date)",
    )
    run.add_argument(
        "--scheme",
        help="scheme parameter CSV: the crediting period's rules (with the dates) and the largest "
        "site that may meter by difference (default: the shipped table)",
    )
    run.add_argument(
        "--battery",
        action="store_true",
        help="the site has a battery: metered by difference it needs battery_charge and "
        "battery_discharge meters, whose net charge is not self-consumed",
    )
    return parser


def _time(value: str) -> int:
    """An argparse type: a bad date exits 2, argparse naming the option beside our message."""
    try:
        return parse_time(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    dates = (args.application_date, args.monitoring_date)
    try:
        factors = load_factors(args.factors)
        scheme = load_scheme(args.scheme)
        crediting = crediting_period(*dates, scheme) if dates != (None, None) else None
        readings = load_readings(args.readings)
        result = compute(
            readings,
            args.capacity_w,
            factors,
            args.readings,
            crediting,
            battery=args.battery,
            scheme=scheme,
        )
    except MethodologyError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_DATA_ERROR
    print(result.to_json() if args.json else _table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
