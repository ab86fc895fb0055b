"""crediting_period() reproduces every shared, hand-computed crediting-period vector exactly.

The contract tests read the same file with the same constants (its `scheme`, which must be the
shipped scheme-parameter table), so the two implementations of the rule cannot drift apart.
"""

import json
from pathlib import Path

import pytest

from methodology.eligibility import crediting_period
from methodology.errors import EligibilityError
from methodology.fiscal import add_years, fiscal_year_bounds, parse_time, to_iso
from methodology.scheme import load_scheme

FILE = json.loads((Path(__file__).parent / "crediting_vectors.json").read_text())
VECTORS = FILE["vectors"]
SCHEME = load_scheme()


def test_vector_constants_are_the_shipped_table() -> None:
    assert FILE["scheme"] == {
        "crediting_years": SCHEME.crediting_years,
        "scheme_end": to_iso(SCHEME.scheme_end),
    }


def test_vectors_cover_the_required_cases() -> None:
    names = {v["name"] for v in VECTORS}
    assert len(names) == len(VECTORS) >= 12
    inputs = [(parse_time(v["application"]), parse_time(v["monitoring"])) for v in VECTORS]
    ok = [(a, m, v["expected"]) for (a, m), v in zip(inputs, VECTORS, strict=True)]
    ok = [(a, m, parse_time(e["start"]), parse_time(e["end"])) for a, m, e in ok if "end" in e]
    end = SCHEME.scheme_end
    assert any(a > m for a, m, *_ in ok) and any(m > a for a, m, *_ in ok)
    assert any(a == m for a, m, *_ in ok)
    # Ends by the years alone, cut by the scheme end, and the years landing exactly on it.
    by_years = [add_years(s, SCHEME.crediting_years) for *_, s, _ in ok]
    assert any(e == y < end for (*_, e), y in zip(ok, by_years, strict=True))
    assert any(e == end < y for (*_, e), y in zip(ok, by_years, strict=True))
    assert end in by_years
    starts = {to_iso(s) for *_, s, _ in ok}
    assert {"2020-02-29T12:00:00+09:00", "2028-02-29T00:00:00+09:00"} <= starts
    assert {"2023-03-31T23:59:59+09:00", "2023-04-01T00:00:00+09:00"} <= starts
    assert any(s[5:10] == "04-10" and s[11:19] != "00:00:00" for s in starts)
    assert any(e - s == 1 for *_, s, e in ok)  # a 1-second period just before the scheme end
    assert any(s % 60 for *_, s, _ in ok)  # times with seconds
    assert any(not v["application"].endswith("+09:00") for v in VECTORS)
    errors = [(a, m) for (a, m), v in zip(inputs, VECTORS, strict=True) if "error" in v["expected"]]
    assert {v["expected"]["error"] for v in VECTORS if "error" in v["expected"]} == {
        "after scheme end"
    }
    assert any(max(a, m) == end for a, m in errors)
    assert fiscal_year_bounds(2030)[1] == end  # the scheme ends with FY2030


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_crediting_period_reproduces_vector(vector: dict) -> None:
    application, monitoring = parse_time(vector["application"]), parse_time(vector["monitoring"])
    expected = vector["expected"]
    if "error" in expected:
        with pytest.raises(EligibilityError, match="starts at or after the end of the scheme"):
            crediting_period(application, monitoring, SCHEME)
        return
    period = crediting_period(application, monitoring, SCHEME)
    assert (to_iso(period.start), to_iso(period.end)) == (expected["start"], expected["end"])
    assert (period.application, period.monitoring) == (application, monitoring)
