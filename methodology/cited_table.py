"""CSV tables whose every row cites its source and says whether it was verified against it (the
emission factors, the scheme parameters): one reader, so both refuse the same mistakes alike."""

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from methodology.errors import MethodologyError

_BOOLEANS = {"true": True, "false": False}


@dataclass(frozen=True)
class CitedRow:
    """One data row: its own fields (stripped), its source and verified flag, and `where` it is
    (file and line) for messages."""

    fields: list[str]
    source: str
    verified: bool
    where: str


def read_cited_rows(
    file: Path, columns: tuple[str, ...], table: str, item: str, error: type[MethodologyError]
) -> Iterator[CitedRow]:
    """The rows of `file`, whose header must be `columns` ending in `source,verified`; `error`
    (naming the file and line) for an unreadable file, a wrong header or field count, an empty
    source or a verified flag other than true/false. Blank lines are skipped."""
    try:
        text = file.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise error(f"{file}: cannot read {table}: {exc.strerror}") from exc
    reader = csv.reader(text.splitlines())
    header = next(reader, None)
    if header is None or tuple(h.strip() for h in header) != columns:
        raise error(f"{file} line 1: header must be {','.join(columns)}, got {header}")
    for line_no, fields in enumerate(reader, start=2):
        if not fields:
            continue
        where = f"{file} line {line_no}"
        if len(fields) != len(columns):
            raise error(f"{where}: expected {len(columns)} fields, got {len(fields)}")
        *own, source, verified_text = (f.strip() for f in fields)
        if not source:
            raise error(f"{where}: source is empty; every {item} must cite its source")
        verified = _BOOLEANS.get(verified_text.lower())
        if verified is None:
            raise error(f"{where}: verified must be true or false, got {verified_text!r}")
        yield CitedRow(own, source, verified, where)
