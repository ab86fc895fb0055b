"""The watcher: checks every report still open to challenge against the data its oracle
published, and sends a fraud proof for the first cheat it finds (`ape run watch`).

Without a watcher, permissionless fraud proofs are only theory. It needs no role and no stake:
anyone with the archive (the files each report's data URI names; the oracle publishes them) and
gas can run it, and a proof that holds pays the cheating oracle's bond to the watcher.

For each project whose report is pending and still challengeable (inside its window, or
disputed), the watcher:
1. reads the report's facts from the chain's `ReportSubmitted` event, checked against the hash
   the reports contract keeps;
2. loads every archive of the project (`<archive>/<project>/*.csv` and their manifests): the
   meters' signed batches, their signatures checked, with their readings where all are archived;
3. rebuilds the report's Merkle root from its own archive's manifest; when it does not match, or
   the archive is missing or altered, nothing can be proven: the outcome says so, so a validator
   can dispute the report (data withheld is the one thing the proofs cannot show);
4. asks `oracles.fraud_search.find_fraud` for a provable cheat and sends its proof.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from jcredit.eip712 import Batch, batch_digest, domain_separator, readings_hash, recover
from jcredit.errors import JCreditError
from jcredit.history import submitted_report
from jcredit.types import FraudKind, ReportStatus
from methodology.errors import MethodologyError
from methodology.readings import load_readings
from oracles.archive import load_manifest, manifest_batches, resolve
from oracles.errors import DataError
from oracles.fraud_search import (
    CommittedConflict,
    CommittedMismatch,
    Finding,
    IntervalAboveCapacity,
    KnownData,
    LaterReading,
    find_fraud,
)

if TYPE_CHECKING:
    from jcredit.connect import Platform
    from jcredit.facts import ReportFacts
    from jcredit.fraud_proofs import Proven
    from jcredit.tx import Sender


_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")


@dataclass(frozen=True)
class Outcome:
    """What the watcher concluded about one open report.

    `verdict`: "consistent" (the data show no provable cheat), "proven" (a proof held: the report
    is undone), "unverifiable" (the archive does not back the report: dispute it) or "refused"
    (the proof was found but the chain refused it, e.g. someone proved it first).
    """

    project_id: int
    report_id: int
    verdict: str
    detail: str
    proven: Proven | None = None


def known_data(archive_root: Path, project_id: int, separator: bytes) -> KnownData:
    """Every validly signed batch in the project's archives, with its readings where the archive
    holds all of them (a carried start batch's earlier readings belong to no archived period)."""
    known = KnownData()
    directory = Path(archive_root) / str(project_id)
    for path in sorted(directory.glob("*.csv")):
        try:
            readings = load_readings(path)
            batches = manifest_batches(load_manifest(path))
        except (MethodologyError, DataError, OSError, ValueError, KeyError, TypeError):
            # An unreadable archive backs nothing; the report it belongs to is judged on its own.
            continue
        by_meter = {
            str(meter).lower(): group
            for meter, group in readings.groupby("meter", observed=True, sort=False)
        }
        for batch in batches:
            if not _well_formed(batch) or not _signed_by_meter(separator, project_id, batch):
                continue
            known.add(batch, _batch_readings(by_meter.get(batch.meter.lower()), batch))
    return known


def _well_formed(batch: Batch) -> bool:
    """Whether the batch's fields fit the signed struct's types (an address, two uint64, a
    uint256 and 32 bytes): a manifest may hold anything, and nothing else has a leaf or digest."""
    return (
        isinstance(batch.meter, str)
        and _ADDRESS.fullmatch(batch.meter) is not None
        and all(
            type(value) is int and 0 <= value < 2**bits
            for value, bits in (
                (batch.first_timestamp, 64),
                (batch.last_timestamp, 64),
                (batch.last_cumulative_wh, 256),
            )
        )
        and len(batch.readings_hash) == 32
    )


def _signed_by_meter(separator: bytes, project_id: int, batch: Batch) -> bool:
    signer = recover(batch_digest(separator, project_id, batch), batch.signature)
    return signer is not None and signer.lower() == batch.meter.lower()


def _batch_readings(rows, batch: Batch) -> list[tuple[int, int]] | None:
    """The batch's readings from the archive when all of them are there (they hash right)."""
    if rows is None:
        return None
    ts = rows["timestamp"].to_numpy(np.int64)
    wh = rows["cumulative_wh"].to_numpy(np.int64)
    inside = (ts >= batch.first_timestamp) & (ts <= batch.last_timestamp)
    readings = list(zip(ts[inside].tolist(), wh[inside].tolist(), strict=True))
    if not readings or readings[0][0] != batch.first_timestamp:
        return None
    if readings_hash([t for t, _ in readings], [w for _, w in readings]) != batch.readings_hash:
        return None
    return readings


def open_reports(jc: Platform, now: int) -> list[tuple[ReportFacts, str]]:
    """(facts, data URI) of every pending report that can still be challenged at `now`."""
    out = []
    for project_id in range(1, jc.registry.project_count() + 1):
        pending = jc.reports.pending_report(project_id)
        if pending.status == ReportStatus.NONE:
            continue
        if pending.status != ReportStatus.DISPUTED and now >= pending.challenge_deadline:
            continue
        facts = jc.reports.pending_facts(project_id)
        logged = submitted_report(
            jc.reports.contract, jc.reports.start_block, project_id, facts.report_id
        )
        out.append((facts, logged.data_uri if logged else ""))
    return out


def check_report(
    jc: Platform, facts: ReportFacts, data_uri: str, archive_root: Path, chain_id: int
) -> Finding | str | None:
    """The provable cheat of one report, None when there is none, or why it cannot be checked."""
    project_id = facts.project_id
    separator = domain_separator(chain_id, jc.registry.address)
    try:
        committed = manifest_batches(load_manifest(resolve(archive_root, data_uri)))
    except (DataError, OSError, ValueError, KeyError, TypeError) as exc:
        return f"its archive cannot be read ({exc}); a validator should dispute it"
    malformed = [i for i, batch in enumerate(committed) if not _well_formed(batch)]
    if malformed:
        return (
            f"its archive's manifest lists malformed batch {malformed[0]} (not an address, "
            "timestamps, register and 32-byte readings hash); a validator should dispute it"
        )
    capacity_w = jc.registry.project(project_id).capacity_w

    def is_signed(batch: Batch) -> bool:
        return _signed_by_meter(separator, project_id, batch)

    try:
        return find_fraud(
            facts, committed, known_data(archive_root, project_id, separator), capacity_w, is_signed
        )
    except DataError as exc:
        return f"{exc}; a validator should dispute it"


def prove(jc: Platform, sender: Sender, facts: ReportFacts, finding: Finding) -> Proven:
    """Send the proof that matches the finding."""
    proofs = jc.fraud_proofs
    if isinstance(finding, LaterReading):
        return proofs.prove_later_reading(sender, facts, finding.data, finding.index)
    if isinstance(finding, IntervalAboveCapacity):
        return proofs.prove_interval(sender, facts, finding.evidence)
    if isinstance(finding, CommittedMismatch):
        return proofs.prove_committed_mismatch(
            sender, facts, finding.committed, finding.proof, finding.signed
        )
    if isinstance(finding, CommittedConflict):
        return proofs.prove_committed_conflict(
            sender, facts, finding.first, finding.first_proof, finding.second, finding.second_proof
        )
    raise TypeError(f"no proof for {finding!r}")


def watch_once(
    jc: Platform, archive_root: Path, sender: Sender, now: int, chain_id: int
) -> list[Outcome]:
    """Check every open report once; prove each cheat found."""
    outcomes = []
    for facts, data_uri in open_reports(jc, now):
        ids = (facts.project_id, facts.report_id)
        found = check_report(jc, facts, data_uri, archive_root, chain_id)
        if found is None:
            outcomes.append(Outcome(*ids, "consistent", "no provable cheat in its data"))
        elif isinstance(found, str):
            outcomes.append(Outcome(*ids, "unverifiable", found))
        else:
            try:
                proven = prove(jc, sender, facts, found)
            except JCreditError as exc:
                outcomes.append(Outcome(*ids, "refused", f"{found.describe()}: {exc}"))
                continue
            detail = f"{FraudKind(found.kind).name.lower()}: {found.describe()}"
            outcomes.append(Outcome(*ids, "proven", detail, proven))
    return outcomes
