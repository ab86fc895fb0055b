"""Typed client of FraudProofs.vy: recorded violations (what a void report rests on) and the four
proofs anyone may send against a pending report before it finalizes.

A proof that holds undoes the report, pays the submitting oracle's bond to the challenger and
takes the oracle's role. Each proof is dry-run first (`jcredit.tx.Sender`): one that would not
hold is refused with the contract's reason and nothing is sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from jcredit.eip712 import Batch
from jcredit.errors import InputError
from jcredit.evidence import BatchData, IntervalEvidence, check_proof, leaf_struct
from jcredit.facts import ReportFacts
from jcredit.types import FraudKind

if TYPE_CHECKING:
    from ape.api import ReceiptAPI
    from ape.contracts import ContractInstance

    from jcredit.tx import Sender


@dataclass(frozen=True)
class Proven:
    """What a fraud proof did (the FraudProven event)."""

    report_id: int
    kind: FraudKind
    oracle: str
    bond: int  # wei paid to the challenger
    tx_hash: str


class FraudProofsClient:
    def __init__(self, contract: ContractInstance) -> None:
        self.contract = contract

    @property
    def address(self) -> str:
        return self.contract.address

    # -- recorded violations -----------------------------------------------------------------
    def violation_within(self, project_id: int, meter: str, from_ts: int, to_ts: int) -> bool:
        """Whether the meter's recorded interval above capacity is of the project and lies in
        [from_ts, to_ts] (a void report of that span may then be submitted)."""
        return bool(self.contract.violation_within(project_id, meter, from_ts, to_ts))

    def record_violation(
        self, sender: Sender, project_id: int, evidence: IntervalEvidence
    ) -> tuple[int, int]:
        """Record two signed readings of a project meter that show an interval above capacity
        (anyone); the recorded (from, to) timestamps."""
        receipt = sender.send(
            f"recording meter {evidence.meter}'s interval above capacity "
            f"{evidence.first[0]}..{evidence.second[0]} for project {project_id}",
            self.contract.record_violation,
            project_id,
            evidence.as_tuple(),
        )
        (event,) = receipt.events.filter(self.contract.ViolationRecorded)
        return int(event.from_timestamp), int(event.to_timestamp)

    # -- proofs against a pending report -----------------------------------------------------
    def prove_later_reading(
        self, sender: Sender, facts: ReportFacts, data: BatchData, index: int
    ) -> Proven:
        """Reading `index` of the signed batch is later than a boundary reading the report
        claims (and not after the period's end, or start for a carried start reading)."""
        if not 0 <= index < len(data.readings):
            raise InputError(
                f"later reading: index {index}; the batch holds readings "
                f"0..{len(data.readings) - 1}"
            )
        receipt = sender.send(
            f"proving a later reading of meter {data.batch.meter} against report {facts.report_id}",
            self.contract.prove_later_reading,
            facts.as_tuple(),
            data.as_tuple(),
            index,
        )
        return self._proven(receipt)

    def prove_interval(
        self, sender: Sender, facts: ReportFacts, evidence: IntervalEvidence
    ) -> Proven:
        """Two signed readings inside the capacity-checked meter's span show an interval above
        capacity in a report that claims credits."""
        receipt = sender.send(
            f"proving an interval above capacity against report {facts.report_id}",
            self.contract.prove_interval,
            facts.as_tuple(),
            evidence.as_tuple(),
        )
        return self._proven(receipt)

    def prove_committed_mismatch(
        self,
        sender: Sender,
        facts: ReportFacts,
        committed: Batch,
        proof: Sequence[bytes],
        signed: Batch,
    ) -> Proven:
        """The report's root commits `committed`, but the meter signed `signed` for that span."""
        receipt = sender.send(
            f"proving a committed batch of {committed.meter} differs from the signed one",
            self.contract.prove_committed_mismatch,
            facts.as_tuple(),
            leaf_struct(committed),
            check_proof(proof, "committed batch"),
            signed.as_signed_reading(),
        )
        return self._proven(receipt)

    def prove_committed_conflict(
        self,
        sender: Sender,
        facts: ReportFacts,
        first: Batch,
        first_proof: Sequence[bytes],
        second: Batch,
        second_proof: Sequence[bytes],
    ) -> Proven:
        """Two committed batches of one meter overlap or go backwards (`first` ends first)."""
        receipt = sender.send(
            f"proving two committed batches of {first.meter} conflict",
            self.contract.prove_committed_conflict,
            facts.as_tuple(),
            leaf_struct(first),
            check_proof(first_proof, "first batch"),
            leaf_struct(second),
            check_proof(second_proof, "second batch"),
        )
        return self._proven(receipt)

    def _proven(self, receipt: ReceiptAPI) -> Proven:
        (event,) = receipt.events.filter(self.contract.FraudProven)
        return Proven(
            report_id=int(event.report_id),
            kind=FraudKind(int(event.kind)),
            oracle=event.oracle,
            bond=int(event.bond),
            tx_hash=str(receipt.txn_hash),
        )
