"""Content-addressed Parquet archive of a program period, and loading it back.

    <root>/<program_id>/<sha256>.parquet   results, boundaries, refusals, readings, batches,
                                           enrollment, tree (one file each, named by content)
    <root>/<program_id>/<sha256>.json      manifest: program, period, roots, totals, file hashes

The report's data URI is `archive:<program_id>/<manifest sha256>.json`: whoever holds it checks the
manifest's hash, and the manifest gives every file's hash, as oracles/archive.py does for a site.
`results` keeps each leaf's exact ABI encoding (`leaf`), so what was committed, right or wrong, is
what loads back; `tree` keeps every inner node, so a wrong inner sum can be shown (kind 2).
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from eth_abi import decode
from eth_utils import to_checksum_address

from jcredit.eip712 import Batch
from jcredit.program_tree import MEMBER_RESULT_TYPE, EnrolledMeter, MemberResult, MeterBoundary
from oracles.archive import URI_SCHEME, _write_atomic
from oracles.errors import DataError
from oracles.program.intake import MemberRefusal, TableSource, clip_to_window
from oracles.program.job import PreviousReport, ProgramPeriod
from oracles.program.members import PeriodTerms
from oracles.program.trees import ClaimedTree, SumNode

FILES = ("results", "boundaries", "refusals", "readings", "batches", "enrollment", "tree")


@dataclass
class ArchivedPeriod:
    """A period loaded back from its archive, every file's hash checked."""

    manifest: dict
    terms: PeriodTerms
    chain_id: int
    registry: str
    results: list[MemberResult]
    tree: ClaimedTree
    enrollment: list[EnrolledMeter]
    refusals: list[MemberRefusal]
    source: TableSource
    data_uri: str
    details: dict[int, str] = field(default_factory=dict)  # member id -> why not credited

    @property
    def sum_root(self) -> bytes:
        return bytes.fromhex(self.manifest["sum_root"][2:])


def _parquet_bytes(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink, compression="zstd")
    return sink.getvalue()


def _u(value: int, what: str) -> int:
    if not 0 <= value < 2**63:
        raise DataError(f"archive: {what} {value} does not fit the archive's int64 column")
    return value


def results_table(results: list[MemberResult], details: dict[int, str]) -> pa.Table:
    return pa.table(
        {
            "member_id": [r.member_id for r in results],
            "valid": [r.valid for r in results],
            "reason": pa.array([r.reason for r in results], pa.int8()),
            "self_consumed_wh": [_u(r.self_consumed_wh, "self_consumed_wh") for r in results],
            "reduction_g": [_u(r.reduction_g, "reduction_g") for r in results],
            "credited_g": [_u(r.credited_g, "credited_g") for r in results],
            "ytd_credited_g": [_u(r.ytd_credited_g, "ytd_credited_g") for r in results],
            "detail": [details.get(r.member_id, "") for r in results],
            "leaf": [r.encode() for r in results],
        }
    )


def _boundaries_table(results: list[MemberResult]) -> pa.Table:
    rows = [
        (r.member_id, m.enrollment_index, which, batch)
        for r in results
        for m in r.meters
        for which, batch in (("start", m.start), ("end", m.end))
    ]
    return pa.table(
        {
            "member_id": pa.array([x[0] for x in rows], pa.int64()),
            "enrollment_index": pa.array([x[1] for x in rows], pa.int64()),
            "boundary": pa.array([x[2] for x in rows], pa.string()),
            "meter": pa.array([x[3].meter for x in rows], pa.string()),
            "first_timestamp": pa.array([x[3].first_timestamp for x in rows], pa.int64()),
            "last_timestamp": pa.array([x[3].last_timestamp for x in rows], pa.int64()),
            "last_cumulative_wh": pa.array([x[3].last_cumulative_wh for x in rows], pa.int64()),
            "readings_hash": pa.array([x[3].readings_hash for x in rows], pa.binary(32)),
            "signature": pa.array([x[3].signature for x in rows], pa.binary()),
        }
    )


def _refusals_table(refusals: list[MemberRefusal]) -> pa.Table:
    return pa.table(
        {
            "member_id": pa.array([r.member_id for r in refusals], pa.int64()),
            "meter": pa.array([r.meter for r in refusals], pa.string()),
            "timestamp": pa.array([r.timestamp for r in refusals], pa.int64()),
            "reason": pa.array([r.reason for r in refusals], pa.string()),
        }
    )


def enrollment_table(leaves: list[EnrolledMeter]) -> pa.Table:
    return pa.table(
        {
            "meter": pa.array([x.meter for x in leaves], pa.string()),
            "member_id": pa.array([x.member_id for x in leaves], pa.int64()),
            "kind": pa.array([x.kind for x in leaves], pa.int8()),
            "interval_seconds": pa.array([x.interval_seconds for x in leaves], pa.int64()),
            "capacity_w": pa.array([x.capacity_w for x in leaves], pa.int64()),
            "crediting_start": pa.array([x.crediting_start for x in leaves], pa.int64()),
            "crediting_end": pa.array([x.crediting_end for x in leaves], pa.int64()),
            "certification_expiry": pa.array([x.certification_expiry for x in leaves], pa.int64()),
            "consent_hash": pa.array([x.consent_hash for x in leaves], pa.binary(32)),
        }
    )


def tree_table(tree: ClaimedTree) -> pa.Table:
    rows = [(h, i, n) for h, level in enumerate(tree.nodes) for i, n in enumerate(level)]
    return pa.table(
        {
            "height": pa.array([h for h, _, _ in rows], pa.int16()),
            "index": pa.array([i for _, i, _ in rows], pa.int64()),
            "left": pa.array([n.left for _, _, n in rows], pa.binary(32)),
            "left_sum": pa.array([_u(n.left_sum, "sum") for _, _, n in rows], pa.int64()),
            "right": pa.array([n.right for _, _, n in rows], pa.binary(32)),
            "right_sum": pa.array([_u(n.right_sum, "sum") for _, _, n in rows], pa.int64()),
        }
    )


def write_archive(
    root: Path,
    period: ProgramPeriod,
    tree: ClaimedTree | None = None,
    results: list[MemberResult] | None = None,
) -> str:
    """Archive the period; returns its data URI. `tree`/`results` replace the period's own
    (only to archive a cheat for demos and tests: `verify.inflate_*`)."""
    if period.source is None:
        raise DataError(f"program {period.program_id}: the period has no data source to archive")
    results = period.results if results is None else results
    tree = ClaimedTree.from_sum_tree(period.tree) if tree is None else tree
    members = sorted({leaf.member_id for leaf in period.enrollment})
    readings, batches = period.source.read(members)
    readings, batches = clip_to_window(readings, batches, period.terms)
    readings = readings.sort_by(
        [("member_id", "ascending"), ("meter", "ascending"), ("timestamp", "ascending")]
    )
    batches = batches.sort_by(
        [("member_id", "ascending"), ("meter", "ascending"), ("first_timestamp", "ascending")]
    )
    tables = {
        "results": results_table(results, period.details),
        "boundaries": _boundaries_table(results),
        "refusals": _refusals_table(period.refusals),
        "readings": readings,
        "batches": batches,
        "enrollment": enrollment_table(period.enrollment),
        "tree": tree_table(tree),
    }
    directory = Path(root) / str(period.program_id)
    directory.mkdir(parents=True, exist_ok=True)
    files = {}
    for name, table in tables.items():
        data = _parquet_bytes(table)
        digest = hashlib.sha256(data).hexdigest()
        path = directory / f"{digest}.parquet"
        if not path.exists():
            _write_atomic(path, data)
        files[name] = {"file": path.name, "sha256": digest, "rows": table.num_rows}
    terms = period.terms
    node = tree.root_node
    manifest = {
        "program_id": terms.program_id,
        "chain_id": period.chain_id,
        "registry": period.registry,
        "period_start": terms.period_start,
        "period_end": terms.period_end,
        "fiscal_year": terms.fiscal_year,
        "factor_g_per_mwh": terms.factor_g_per_mwh,
        "cap_g": terms.cap_g,
        "enrollment_root": "0x" + period.enrollment_root.hex(),
        "enrollment_count": len(period.enrollment),
        "sum_root": "0x" + tree.root.hex(),
        "root_node": [
            "0x" + node.left.hex(),
            node.left_sum,
            "0x" + node.right.hex(),
            node.right_sum,
        ],
        "total_g": tree.total,
        "member_count": len(results),
        "depth": tree.depth,
        "files": files,
    }
    data = json.dumps(manifest, indent=1, sort_keys=True).encode()
    digest = hashlib.sha256(data).hexdigest()
    _write_atomic(directory / f"{digest}.json", data)
    return f"{URI_SCHEME}{terms.program_id}/{digest}.json"


def _read_checked(path: Path, expected: str) -> bytes:
    if not path.exists():
        raise DataError(f"{path}: archived file not found")
    data = path.read_bytes()
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        raise DataError(f"{path}: content hash is {actual}, the manifest says {expected}")
    return data


def decode_leaf(data: bytes) -> MemberResult:
    """A MemberResult from its ABI encoding (what `MemberResult.encode` wrote)."""
    (raw,) = decode([MEMBER_RESULT_TYPE], data)
    member_id, meters, self_wh, reduction, credited, ytd, valid, reason = raw

    def batch(t: tuple) -> Batch:
        return Batch(to_checksum_address(t[0]), t[1], t[2], t[3], bytes(t[4]), bytes(t[5]))

    return MemberResult(
        member_id,
        tuple(MeterBoundary(m[0], batch(m[1]), batch(m[2])) for m in meters),
        self_wh,
        reduction,
        credited,
        ytd,
        valid,
        reason,
    )


def load_archive(root: Path, data_uri: str) -> ArchivedPeriod:
    """Load and check a period archive (DataError naming the file on any mismatch)."""
    if not data_uri.startswith(URI_SCHEME):
        raise DataError(f"data URI {data_uri!r} is not an archive: URI")
    path = Path(root) / data_uri.removeprefix(URI_SCHEME)
    manifest_bytes = _read_checked(path, path.stem)
    manifest = json.loads(manifest_bytes)
    tables = {}
    for name in FILES:
        entry = manifest["files"].get(name)
        if entry is None:
            raise DataError(f"{path}: manifest lists no {name} file")
        data = _read_checked(path.parent / entry["file"], entry["sha256"])
        tables[name] = pq.read_table(pa.BufferReader(data))
    results = [decode_leaf(x) for x in tables["results"]["leaf"].to_pylist()]
    enrollment = [
        EnrolledMeter(
            to_checksum_address(row["meter"]),
            row["member_id"],
            row["kind"],
            row["interval_seconds"],
            row["capacity_w"],
            row["crediting_start"],
            row["crediting_end"],
            row["certification_expiry"],
            row["consent_hash"],
        )
        for row in tables["enrollment"].to_pylist()
    ]
    depth = manifest["depth"]
    nodes: list[list[SumNode]] = [[] for _ in range(depth)]
    for row in (
        tables["tree"].sort_by([("height", "ascending"), ("index", "ascending")]).to_pylist()
    ):
        nodes[row["height"]].append(
            SumNode(row["left"], row["left_sum"], row["right"], row["right_sum"])
        )
    tree = ClaimedTree(results, depth, nodes)
    if "0x" + tree.root.hex() != manifest["sum_root"]:
        raise DataError(f"{path}: the archived tree's root is not the manifest's sum_root")
    terms = PeriodTerms(
        manifest["program_id"],
        manifest["period_start"],
        manifest["period_end"],
        manifest["fiscal_year"],
        manifest["factor_g_per_mwh"],
        manifest["cap_g"],
    )
    refusals = [
        MemberRefusal(r["member_id"], r["meter"], r["timestamp"], r["reason"])
        for r in tables["refusals"].to_pylist()
    ]
    return ArchivedPeriod(
        manifest,
        terms,
        manifest["chain_id"],
        manifest["registry"],
        results,
        tree,
        enrollment,
        refusals,
        TableSource(tables["readings"], tables["batches"]),
        data_uri,
        {
            member_id: detail
            for member_id, detail in zip(
                tables["results"]["member_id"].to_pylist(),
                tables["results"]["detail"].to_pylist(),
                strict=True,
            )
            if detail
        },
    )


def previous_report(root: Path, data_uri: str) -> PreviousReport:
    """What the next period resumes from: the end of this one and every member's ytd."""
    archived = load_archive(root, data_uri)
    return PreviousReport(
        archived.terms.period_end,
        archived.terms.fiscal_year,
        {r.member_id: r.ytd_credited_g for r in archived.results},
    )


def member_ids(table: pa.Table) -> list[int]:
    return pc.unique(table["member_id"]).to_pylist()
