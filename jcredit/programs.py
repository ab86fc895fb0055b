"""Typed client of Programs.vy and its proof contracts (docs/programs.md).

`Programs` keeps only the hash of a pending program report: every call that acts on one
(finalize, demand, respond, expire, the proofs) takes the facts back. `pending_facts` finds them in
the chain's own `ProgramReportSubmitted` event and checks them against that hash, so no caller has
to keep them. Writes are dry-run first (`jcredit.tx.Sender`): a refusal changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING, Any

from eth_abi import encode

from jcredit.errors import ChainError, InputError
from jcredit.history import logs
from jcredit.keccak import keccak256
from jcredit.program_tree import EnrolledMeter, EnrollmentTree, MemberResult, SumTree
from jcredit.registry import check_address, check_text

if TYPE_CHECKING:
    from ape.contracts import ContractInstance

    from jcredit.tx import Sender

# A committed tree as a cheat or a verifier rebuilds it (`oracles.program.trees.ClaimedTree`):
# `leaves`, `root_node`, `total`, `path(position)`; the SDK needs nothing else of it.
ClaimedTreeLike = Any

PROGRAM_REPORT_TYPE = (
    "(uint256,uint256,uint64,uint64,uint16,uint256,bytes32,uint256,uint64,uint256,uint256,"
    "bytes32,uint256,uint256,uint256,address,uint256,uint64)"
)
_URI_BYTES = 128
DEFAULT_CAP_T_PER_YEAR = 500


class ProgramStatus(IntEnum):
    """`program_registry.PROGRAM_*`."""

    PROPOSED = 1
    APPROVED = 2
    REJECTED = 4


class EnrollmentStatus(IntEnum):
    PROPOSED = 1
    APPROVED = 2
    REJECTED = 4
    REFUTED = 8


class ProgramFraudKind(IntEnum):
    """The nine program proofs (docs/programs.md)."""

    MEMBER_RESULT = 1
    SUM = 2
    MEMBER_ORDER = 3
    LATER_READING = 4
    INTERVAL = 5
    CAP = 6
    ENROLLMENT_ORDER = 7
    ENROLLED_ELSEWHERE = 8
    SINGLE_SITE = 9

    def describe(self) -> str:
        return _FRAUD_TEXT[self]


_FRAUD_TEXT = {
    ProgramFraudKind.MEMBER_RESULT: "a member's result does not follow from its signed readings",
    ProgramFraudKind.SUM: "an inner node's sum is wrong",
    ProgramFraudKind.MEMBER_ORDER: "members out of order (a member counted twice)",
    ProgramFraudKind.LATER_READING: "a boundary reading is not the last one",
    ProgramFraudKind.INTERVAL: "an interval is above the member's capacity",
    ProgramFraudKind.CAP: "a member exceeds the per-member cap for the year",
    ProgramFraudKind.ENROLLMENT_ORDER: "a meter enrolled twice",
    ProgramFraudKind.ENROLLED_ELSEWHERE: "a meter enrolled in another program",
    ProgramFraudKind.SINGLE_SITE: "a meter of a single-site project",
}


@dataclass(frozen=True)
class ProgramReport:
    """Everything a program report claims (`IPrograms.ProgramReport`, in field order)."""

    program_id: int
    report_id: int
    period_start: int
    period_end: int
    fiscal_year: int
    enrollment_index: int
    enrollment_root: bytes
    enrollment_count: int
    enrollment_approved_at: int
    member_count: int
    depth: int
    sum_root: bytes
    total_g: int
    factor_g_per_mwh: int
    cap_g: int
    oracle: str
    bond: int
    challenge_deadline: int

    def as_tuple(self) -> tuple:
        return tuple(getattr(self, name) for name in self.__dataclass_fields__)

    def facts_hash(self) -> bytes:
        return keccak256(encode([PROGRAM_REPORT_TYPE], [self.as_tuple()]))

    @classmethod
    def from_event(cls, facts: Any) -> ProgramReport:
        """The facts as an event decodes them: a struct, a dict or (Ape) a list in field order."""
        names = list(cls.__dataclass_fields__)
        if isinstance(facts, list | tuple):
            facts = dict(zip(names, facts, strict=True))
        values = {}
        for name in names:
            value = facts[name] if isinstance(facts, dict) else getattr(facts, name)
            values[name] = bytes(value) if name in _BYTES_FIELDS else value
        return cls(**values)


_BYTES_FIELDS = frozenset({"enrollment_root", "sum_root"})


@dataclass(frozen=True)
class Program:
    program_id: int
    manager: str
    payout: str
    oracle: str
    status: ProgramStatus
    cap_t_per_year: int
    enrollment_total: int  # enrollment roots proposed
    current_enrollment: int | None  # index of the current (newest approved) root
    next_period_start: int


@dataclass(frozen=True)
class Enrollment:
    root: bytes
    count: int
    status: EnrollmentStatus
    approved_at: int
    superseded_at: int
    data_uri: str


# Each proof function shows exactly one kind (docs/programs.md, "Fraud proofs").
PROOF_FUNCTIONS = {
    "prove_member": ("MemberProofs", ProgramFraudKind.MEMBER_RESULT),
    "prove_sum": ("ProgramProofs", ProgramFraudKind.SUM),
    "prove_member_order": ("ProgramProofs", ProgramFraudKind.MEMBER_ORDER),
    "prove_later_reading": ("MemberProofs", ProgramFraudKind.LATER_READING),
    "prove_interval": ("MemberProofs", ProgramFraudKind.INTERVAL),
    "prove_cap": ("MemberProofs", ProgramFraudKind.CAP),
    "prove_enrollment_order": ("ProgramProofs", ProgramFraudKind.ENROLLMENT_ORDER),
    "prove_enrolled_elsewhere": ("ProgramProofs", ProgramFraudKind.ENROLLED_ELSEWHERE),
    "prove_single_site": ("ProgramProofs", ProgramFraudKind.SINGLE_SITE),
}


@dataclass(frozen=True)
class ProofCall:
    """The calldata of one fraud proof: which contract, which function, its arguments (the
    shape `oracles.program.verify.ProofCall` has too; the kind follows from the function)."""

    contract: str  # "MemberProofs" | "ProgramProofs"
    function: str
    args: tuple

    @property
    def kind(self) -> ProgramFraudKind:
        return proof_kind(self)


def proof_kind(call: Any) -> ProgramFraudKind:
    """The kind a proof call shows; InputError when its function or contract is not a proof's."""
    contract, kind = PROOF_FUNCTIONS.get(call.function, (None, None))
    if kind is None or contract != call.contract:
        raise InputError(f"{call.contract}.{call.function} is not a program fraud proof")
    return kind


def check_cap(cap_t_per_year: int) -> int:
    if not 0 <= cap_t_per_year < 2**64:
        raise InputError(f"cap: {cap_t_per_year} t-CO2 per year; 0 (none) .. 2**64 - 1")
    return cap_t_per_year


class ProgramsClient:
    """Programs, MemberProofs and ProgramProofs of one deployment."""

    def __init__(
        self,
        programs: ContractInstance,
        member_proofs: ContractInstance,
        program_proofs: ContractInstance,
        start_block: int = 0,
    ) -> None:
        self.contract = programs
        self.member_proofs = member_proofs
        self.program_proofs = program_proofs
        self.start_block = start_block

    # -- reads ---------------------------------------------------------------------------------
    def program(self, program_id: int) -> Program:
        raw = self.contract.program(program_id)
        if int(raw.status) == 0:
            raise InputError(f"program {program_id}: no such program")
        return Program(
            program_id=program_id,
            manager=raw.manager,
            payout=raw.payout,
            oracle=raw.oracle,
            status=ProgramStatus(int(raw.status)),
            cap_t_per_year=int(raw.cap_t_per_year),
            enrollment_total=int(raw.enrollment_total),
            current_enrollment=(
                int(raw.current_enrollment) if raw.has_current_enrollment else None
            ),
            next_period_start=int(raw.next_period_start),
        )

    def program_count(self) -> int:
        return int(self.contract.program_count())

    def enrollment(self, program_id: int, index: int) -> Enrollment:
        raw = self.contract.enrollments(program_id, index)
        return Enrollment(
            root=bytes(raw.root),
            count=int(raw.count),
            status=EnrollmentStatus(int(raw.status)),
            approved_at=int(raw.approved_at),
            superseded_at=int(raw.superseded_at),
            data_uri=raw.data_uri,
        )

    def submitted(self, program_id: int | None = None) -> list[ProgramReport]:
        topics = {} if program_id is None else {"program_id": program_id}
        return [
            ProgramReport.from_event(log.facts)
            for log in logs(self.contract.ProgramReportSubmitted, self.start_block, **topics)
        ]

    def pending_facts(self, program_id: int) -> ProgramReport | None:
        """The program's pending report, checked against the hash the contract keeps."""
        pending = self.contract.pending_report(program_id)
        if int(pending.status) == 0:
            return None
        for facts in reversed(self.submitted(program_id)):
            if facts.report_id == int(pending.report_id):
                if facts.facts_hash() != bytes(pending.facts_hash):
                    raise ChainError(
                        f"program {program_id}: the logged facts of report {facts.report_id} do "
                        "not hash to the pending report's"
                    )
                return facts
        raise ChainError(f"program {program_id}: pending report {pending.report_id} not logged")

    def finalized(self, program_id: int | None = None) -> list[Any]:
        topics = {} if program_id is None else {"program_id": program_id}
        return list(logs(self.contract.ProgramReportFinalized, self.start_block, **topics))

    def undone(self, program_id: int | None = None) -> list[Any]:
        topics = {} if program_id is None else {"program_id": program_id}
        return list(logs(self.contract.ReportUndone, self.start_block, **topics))

    # -- manager and validator -----------------------------------------------------------------
    def create_program(
        self,
        sender: Sender,
        payout: str,
        cap_t_per_year: int,
        first_period_start: int,
        methodology_id: str,
        metadata_uri: str,
    ) -> int:
        payout = check_address(payout, "payout")
        check_text(methodology_id, 32, "methodology id")
        check_text(metadata_uri, _URI_BYTES, "metadata URI")
        receipt = sender.send(
            "creating a program",
            self.contract.create_program,
            payout,
            check_cap(cap_t_per_year),
            first_period_start,
            methodology_id,
            metadata_uri,
        )
        return int(next(iter(self.contract.ProgramCreated.from_receipt(receipt))).program_id)

    def approve_program(self, sender: Sender, program_id: int) -> None:
        sender.send(f"approving program {program_id}", self.contract.approve_program, program_id)

    def set_oracle(self, sender: Sender, program_id: int, oracle: str) -> None:
        oracle = check_address(oracle, "oracle")
        sender.send(
            f"assigning oracle {oracle} to program {program_id}",
            self.contract.set_program_oracle,
            program_id,
            oracle,
        )

    def propose_enrollment(
        self, sender: Sender, program_id: int, tree: EnrollmentTree, data_uri: str
    ) -> int:
        check_text(data_uri, _URI_BYTES, "enrollment data URI")
        receipt = sender.send(
            f"proposing an enrollment of {tree.count} meters for program {program_id}",
            self.contract.propose_enrollment,
            program_id,
            tree.root,
            tree.count,
            data_uri,
        )
        return int(next(iter(self.contract.EnrollmentProposed.from_receipt(receipt))).index)

    def approve_enrollment(self, sender: Sender, program_id: int, index: int) -> None:
        sender.send(
            f"approving enrollment {index} of program {program_id}",
            self.contract.approve_enrollment,
            program_id,
            index,
        )

    # -- oracle --------------------------------------------------------------------------------
    def submit(
        self,
        sender: Sender,
        program_id: int,
        period_end: int,
        fiscal_year: int,
        tree: SumTree | ClaimedTreeLike,
        data_uri: str,
        bond: int,
    ) -> tuple[ProgramReport, Any]:
        """Submits the report of `tree`; (the facts the chain logged, the receipt)."""
        check_text(data_uri, _URI_BYTES, "data URI")
        receipt = sender.send(
            f"submitting program {program_id}'s report to {period_end} "
            f"({len(tree.leaves)} members, {tree.total} g)",
            self.contract.submit_report,
            program_id,
            period_end,
            fiscal_year,
            len(tree.leaves),
            tree.root_node.as_tuple(),
            data_uri,
            value=bond,
        )
        log = next(iter(self.contract.ProgramReportSubmitted.from_receipt(receipt)))
        return ProgramReport.from_event(log.facts), receipt

    def finalize(self, sender: Sender, facts: ProgramReport) -> Any:
        return sender.send(
            f"finalizing program {facts.program_id}'s report {facts.report_id}",
            self.contract.finalize,
            facts.as_tuple(),
        )

    def respond(
        self,
        sender: Sender,
        facts: ProgramReport,
        position: int,
        tree: SumTree | ClaimedTreeLike,
        enrollment: EnrollmentTree,
    ) -> Any:
        result = tree.leaves[position]
        enrolled, proofs = member_enrollment(result, enrollment)
        return sender.send(
            f"posting member {result.member_id}'s data for report {facts.report_id}",
            self.contract.respond,
            facts.as_tuple(),
            position,
            [node.as_tuple() for node in tree.path(position)],
            result.as_tuple(),
            [leaf.as_tuple() for leaf in enrolled],
            proofs,
        )

    # -- anyone --------------------------------------------------------------------------------
    def demand(self, sender: Sender, facts: ProgramReport, position: int, bond: int) -> Any:
        return sender.send(
            f"demanding position {position} of report {facts.report_id}",
            self.contract.demand_member,
            facts.as_tuple(),
            position,
            value=bond,
        )

    def prove(self, sender: Sender, call: ProofCall) -> Any:
        """Sends a proof call (this module's or `oracles.program.verify.ProofCall`)."""
        kind = proof_kind(call)
        contract = self.member_proofs if call.contract == "MemberProofs" else self.program_proofs
        return sender.send(
            f"proving kind {int(kind)} ({kind.describe()})",
            getattr(contract, call.function),
            *call.args,
        )


def member_enrollment(
    result: MemberResult, enrollment: EnrollmentTree
) -> tuple[list[EnrolledMeter], list[list[bytes]]]:
    """A member's enrollment leaves and their proofs, in the order of its meters."""
    leaves = [enrollment.leaves[m.enrollment_index] for m in result.meters]
    proofs = [enrollment.proof(m.enrollment_index) for m in result.meters]
    return leaves, proofs


def verify_member(
    facts: ProgramReport, position: int, result: MemberResult, path: Sequence[Any]
) -> int:
    """The grams the report credits `result` with, after checking its path against the root;
    ValueError when the leaf is not the report's."""
    from jcredit.program_tree import leaf_at

    leaf, claimed = leaf_at(facts.sum_root, facts.depth, position, path)
    if leaf != result.leaf_hash():
        raise ValueError(
            f"member {result.member_id}: its result is not the leaf at position {position} of "
            f"report {facts.report_id}"
        )
    return claimed
