"""Fixtures of the program proof tests: the proof contracts against a Programs double.

The double (programs_double.vy) holds the pending facts hash, enrollment roots and finalized
reports the tests set, and records `refute`; its `registry()` is the real Registry of the session's
world, so signatures use the Registry's domain and kind 9 reads real meters.
"""

from dataclasses import dataclass
from pathlib import Path

import boa
import pytest

from tests.contracts.contract_world import CONTRACTS, World
from tests.contracts.program_proofs.program_world import (
    ENROLLMENT_APPROVED_AT,
    PROGRAM_ID,
    ProgramReportData,
    build_report,
    enrollment_record,
    household,
)

HERE = Path(__file__).resolve().parent


@dataclass
class ProofContracts:
    programs: object
    member: object
    program: object

    def submit(self, report: ProgramReportData) -> ProgramReportData:
        """Makes `report` the program's pending report (as `Programs.submit_report` would) and
        approves its enrollment root at ENROLLMENT_APPROVED_AT."""
        self.programs.set_pending(report.facts_tuple)
        self.programs.set_enrollment(
            report.program_id,
            report.facts["enrollment_index"],
            enrollment_record(report.enrollment, report.facts["enrollment_approved_at"]),
        )
        return report


@pytest.fixture(scope="session")
def proof_factories():
    return (
        boa.load_partial(str(HERE / "programs_double.vy")),
        boa.load_partial(str(CONTRACTS / "MemberProofs.vy")),
        boa.load_partial(str(CONTRACTS / "ProgramProofs.vy")),
    )


@pytest.fixture(scope="session")
def proof_deployed(deployed: World, proof_factories) -> ProofContracts:
    double, member, program = proof_factories
    programs = double.deploy(deployed.registry.address)
    return ProofContracts(
        programs, member.deploy(programs.address), program.deploy(programs.address)
    )


@pytest.fixture
def proofs(proof_deployed) -> ProofContracts:
    return proof_deployed


@pytest.fixture
def honest(world, proofs) -> ProgramReportData:
    """An honest pending report of six households."""
    report = build_report(world.domain, [household(i) for i in range(1, 7)], world.actors.oracle)
    assert report.facts["enrollment_approved_at"] == ENROLLMENT_APPROVED_AT
    assert report.program_id == PROGRAM_ID
    return proofs.submit(report)
