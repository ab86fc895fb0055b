"""Programs: deployment, binding, admin, pause, programs, oracle, payout and enrollment roots."""

import boa
import pytest

from tests.contracts.contract_world import FY2025_START
from tests.contracts.programs.program_world import (
    APPROVED,
    CAP_T,
    DEMAND_BOND,
    PROPOSED,
    REJECTED,
    REPORT_BOND,
    ZERO,
    enrollment_for,
    logged,
)

ROOT = b"\x42" * 32


# -- deployment and binding --------------------------------------------------------------------
def test_constructor__sets_registry_bonds_and_default_window(pw):
    p = pw.programs
    assert p.registry() == pw.registry.address
    assert p.MIN_REPORT_BOND() == REPORT_BOND and p.DEMAND_BOND() == DEMAND_BOND
    assert p.challenge_window() == 86400 and p.RESPONSE_SECONDS() == 6 * 3600
    assert p.credit() == pw.credit.address
    assert p.member_proofs() == pw.member_proofs.address
    assert p.program_proofs() == pw.program_proofs.address


def test_constructor__zero_bond__reverts(pw):
    factory = boa.load_partial("contracts/Programs.vy")
    with boa.reverts("programs: zero bond"):
        factory.deploy(pw.registry.address, 0, 1)
    with boa.reverts("programs: zero bond"):
        factory.deploy(pw.registry.address, 1, 0)


def test_constructor__registry_not_a_contract__reverts(pw, pactors):
    factory = boa.load_partial("contracts/Programs.vy")
    with boa.reverts("programs: registry is not a contract"):
        factory.deploy(pactors.stranger, 1, 1)


@pytest.fixture
def unbound(pw, pactors):
    factory = boa.load_partial("contracts/Programs.vy")
    with boa.env.prank(pactors.admin):
        return factory.deploy(pw.registry.address, REPORT_BOND, DEMAND_BOND)


def test_bind__admin_once__binds_and_logs(pw, pactors, unbound):
    args = (pw.credit.address, pw.member_proofs.address, pw.program_proofs.address)
    with boa.env.prank(pactors.admin):
        unbound.bind(*args)
    (log,) = logged(unbound, "ProgramsBound")
    assert (log["credit"], log["member_proofs"], log["program_proofs"]) == args
    with boa.env.prank(pactors.admin), boa.reverts("programs: already bound"):
        unbound.bind(*args)


def test_bind__not_the_admin__reverts(pw, pactors, unbound):
    with boa.env.prank(pactors.manager), boa.reverts("programs: caller is not the admin"):
        unbound.bind(pw.credit.address, pw.member_proofs.address, pw.program_proofs.address)


def test_bind__an_account_not_a_contract__reverts(pw, pactors, unbound):
    with boa.env.prank(pactors.admin), boa.reverts("programs: not a contract"):
        unbound.bind(pw.credit.address, pactors.stranger, pw.program_proofs.address)


# -- admin -------------------------------------------------------------------------------------
def test_set_challenge_window__admin__sets_and_logs(pw, pactors):
    with boa.env.prank(pactors.admin):
        pw.programs.set_challenge_window(3600)
    assert logged(pw.programs, "ProgramChallengeWindowSet")[0]["seconds"] == 3600
    assert pw.programs.challenge_window() == 3600
    with boa.env.prank(pactors.admin):
        pw.programs.set_challenge_window(30 * 86400)
    assert pw.programs.challenge_window() == 30 * 86400


@pytest.mark.parametrize("seconds", [0, 3599, 30 * 86400 + 1])
def test_set_challenge_window__out_of_bounds__reverts(pw, pactors, seconds):
    with boa.env.prank(pactors.admin), boa.reverts("programs: window out of bounds"):
        pw.programs.set_challenge_window(seconds)


def test_set_challenge_window__not_the_admin__reverts(pw, pactors):
    with boa.env.prank(pactors.validator), boa.reverts("programs: caller is not the admin"):
        pw.programs.set_challenge_window(3600)


def test_pause__pauser__pauses_and_unpauses(pw, pactors):
    with boa.env.prank(pactors.pauser):
        pw.programs.pause()
    assert len(logged(pw.programs, "Paused")) == 1
    assert pw.programs.paused()
    with boa.env.prank(pactors.pauser):
        pw.programs.unpause()
    assert len(logged(pw.programs, "Unpaused")) == 1
    assert not pw.programs.paused()


@pytest.mark.parametrize("fn", ["pause", "unpause"])
def test_pause__not_a_pauser__reverts(pw, pactors, fn):
    with boa.env.prank(pactors.admin), boa.reverts("programs: caller is not a pauser"):
        getattr(pw.programs, fn)()


# -- programs ----------------------------------------------------------------------------------
def test_create_program__anyone__ids_from_one_and_logs(pw, pactors):
    with boa.env.prank(pactors.stranger):
        first = pw.programs.create_program(
            pactors.payout, CAP_T, FY2025_START, "EN-R-002", "ipfs://a"
        )
    (log,) = logged(pw.programs, "ProgramCreated")
    with boa.env.prank(pactors.manager):
        second = pw.programs.create_program(pactors.payout, 0, FY2025_START, "EN-R-002", "ipfs://b")
    assert (first, second) == (1, 2) and pw.programs.program_count() == 2
    assert log == {
        "program_id": 1,
        "manager": pactors.stranger,
        "payout": pactors.payout,
        "cap_t_per_year": CAP_T,
        "first_period_start": FY2025_START,
        "methodology_id": "EN-R-002",
        "metadata_uri": "ipfs://a",
    }
    info = pw.programs.program(1)
    assert (info.manager, info.payout, info.oracle, info.status) == (
        pactors.stranger,
        pactors.payout,
        ZERO,
        PROPOSED,
    )
    assert (info.cap_t_per_year, info.enrollment_total, info.has_current_enrollment) == (
        CAP_T,
        0,
        False,
    )
    assert info.next_period_start == FY2025_START


@pytest.mark.parametrize(
    "payout, cap, start, reason",
    [
        (ZERO, 1, FY2025_START, "programs: zero payout"),
        (None, 2**48, FY2025_START, "programs: cap too large"),
        (None, 1, 0, "programs: zero period start"),
    ],
)
def test_create_program__bad_arguments__revert(pw, pactors, payout, cap, start, reason):
    with boa.env.prank(pactors.manager), boa.reverts(reason):
        pw.programs.create_program(payout or pactors.payout, cap, start, "EN-R-002", "")


@pytest.mark.parametrize("approve", [True, False])
def test_approve_program__validator__reviews_once_and_logs(pw, pactors, approve):
    program = pw.create(approve=False, oracle=None)
    with boa.env.prank(pactors.validator):
        (pw.programs.approve_program if approve else pw.programs.reject_program)(program.program_id)
    assert logged(pw.programs, "ProgramReviewed")[0] == {
        "program_id": program.program_id,
        "validator": pactors.validator,
        "approved": approve,
    }
    assert pw.programs.program(program.program_id).status == (APPROVED if approve else REJECTED)
    for fn in ("approve_program", "reject_program"):
        with boa.env.prank(pactors.validator), boa.reverts("programs: program not proposed"):
            getattr(pw.programs, fn)(program.program_id)


@pytest.mark.parametrize("fn", ["approve_program", "reject_program"])
@pytest.mark.parametrize("caller", ["manager", "oracle", "admin", "stranger"])
def test_approve_program__not_a_validator__reverts(pw, pactors, fn, caller):
    program = pw.create(approve=False, oracle=None)
    with (
        boa.env.prank(getattr(pactors, caller)),
        boa.reverts("programs: caller is not a validator"),
    ):
        getattr(pw.programs, fn)(program.program_id)


def test_approve_program__unknown_program__reverts(pw, pactors):
    with boa.env.prank(pactors.validator), boa.reverts("programs: program not proposed"):
        pw.programs.approve_program(99)


def test_set_program_oracle__manager__assigns_unassigns_and_logs(pw, pactors):
    program = pw.create(oracle=None)
    with boa.env.prank(pactors.manager):
        pw.programs.set_program_oracle(program.program_id, pactors.oracle2)
    assert logged(pw.programs, "ProgramOracleSet")[0] == {
        "program_id": program.program_id,
        "oracle": pactors.oracle2,
    }
    assert pw.programs.program(program.program_id).oracle == pactors.oracle2
    with boa.env.prank(pactors.manager):
        pw.programs.set_program_oracle(program.program_id, ZERO)
    assert pw.programs.program(program.program_id).oracle == ZERO


def test_set_program_oracle__not_the_manager__reverts(pw, pactors):
    program = pw.create(oracle=None)
    for caller in (pactors.oracle, pactors.validator, pactors.admin, pactors.stranger):
        with boa.env.prank(caller), boa.reverts("programs: not the manager"):
            pw.programs.set_program_oracle(program.program_id, pactors.oracle)


def test_set_program_oracle__without_oracle_role__reverts(pw, pactors):
    program = pw.create(oracle=None)
    with boa.env.prank(pactors.manager), boa.reverts("programs: not an ORACLE_ROLE"):
        pw.programs.set_program_oracle(program.program_id, pactors.stranger)


def test_set_program_oracle__slashed_oracle__reverts(pw, pactors, pending, program):
    with boa.env.prank(pactors.challenger):
        pw.member_proofs.prove(pending, 1, False)
    assert pw.programs.is_slashed(pactors.oracle)
    other = pw.create(oracle=None)
    with boa.env.prank(pactors.manager), boa.reverts("programs: oracle slashed"):
        pw.programs.set_program_oracle(other.program_id, pactors.oracle)


def test_set_payout__manager__sets_and_logs(pw, pactors, program):
    with boa.env.prank(pactors.manager):
        pw.programs.set_payout(program.program_id, pactors.stranger)
    assert logged(pw.programs, "ProgramPayoutSet")[0] == {
        "program_id": program.program_id,
        "payout": pactors.stranger,
    }
    assert pw.programs.program(program.program_id).payout == pactors.stranger


def test_set_payout__zero_or_not_the_manager__reverts(pw, pactors, program):
    with boa.env.prank(pactors.manager), boa.reverts("programs: zero payout"):
        pw.programs.set_payout(program.program_id, ZERO)
    with boa.env.prank(pactors.oracle), boa.reverts("programs: not the manager"):
        pw.programs.set_payout(program.program_id, pactors.oracle)


# -- enrollment roots --------------------------------------------------------------------------
def test_propose_enrollment__manager__indexes_from_zero_and_logs(pw, pactors, program):
    with boa.env.prank(pactors.manager):
        index = pw.programs.propose_enrollment(program.program_id, ROOT, 7, "ipfs://e2")
    assert index == 1  # the fixture's root is index 0
    assert logged(pw.programs, "EnrollmentProposed")[0] == {
        "program_id": program.program_id,
        "index": 1,
        "root": ROOT,
        "count": 7,
        "data_uri": "ipfs://e2",
    }
    e = pw.programs.enrollments(program.program_id, 1)
    assert (e.root, e.count, e.status, e.approved_at, e.superseded_at, e.data_uri) == (
        ROOT,
        7,
        PROPOSED,
        0,
        0,
        "ipfs://e2",
    )


@pytest.mark.parametrize(
    "root, count, reason",
    [
        (bytes(32), 1, "programs: zero root"),
        (ROOT, 0, "programs: bad enrollment count"),
        (ROOT, 2**24 + 1, "programs: bad enrollment count"),
    ],
)
def test_propose_enrollment__bad_arguments__revert(pw, pactors, program, root, count, reason):
    with boa.env.prank(pactors.manager), boa.reverts(reason):
        pw.programs.propose_enrollment(program.program_id, root, count, "")


def test_propose_enrollment__not_the_manager_or_rejected__reverts(pw, pactors):
    program = pw.create(approve=False, oracle=None)
    with boa.env.prank(pactors.oracle), boa.reverts("programs: not the manager"):
        pw.programs.propose_enrollment(program.program_id, ROOT, 1, "")
    with boa.env.prank(pactors.validator):
        pw.programs.reject_program(program.program_id)
    with boa.env.prank(pactors.manager), boa.reverts("programs: program rejected"):
        pw.programs.propose_enrollment(program.program_id, ROOT, 1, "")


def test_approve_enrollment__validator__current_supersedes_previous_and_logs(pw, pactors, program):
    first = pw.programs.enrollments(program.program_id, 0)
    assert first.status == APPROVED and first.approved_at == boa.env.timestamp
    boa.env.time_travel(seconds=100)
    index = pw.enroll(program, enrollment_for(5))
    assert logged(pw.programs, "EnrollmentReviewed")[0] == {
        "program_id": program.program_id,
        "index": index,
        "validator": pactors.validator,
        "approved": True,
        "superseded": 1,
    }
    old, new = (pw.programs.enrollments(program.program_id, i) for i in (0, index))
    assert old.status == APPROVED and old.superseded_at == boa.env.timestamp
    assert (
        new.status == APPROVED and new.approved_at == boa.env.timestamp and new.superseded_at == 0
    )
    info = pw.programs.program(program.program_id)
    assert info.current_enrollment == index and info.has_current_enrollment


def test_reject_enrollment__validator__rejects_and_logs(pw, pactors, program):
    index = pw.enroll(program, enrollment_for(5), approve=False)
    with boa.env.prank(pactors.validator):
        pw.programs.reject_enrollment(program.program_id, index)
    assert logged(pw.programs, "EnrollmentReviewed")[0]["approved"] is False
    assert pw.programs.enrollments(program.program_id, index).status == REJECTED
    assert pw.programs.program(program.program_id).current_enrollment == 0
    for fn in ("approve_enrollment", "reject_enrollment"):
        with boa.env.prank(pactors.validator), boa.reverts("programs: enrollment not proposed"):
            getattr(pw.programs, fn)(program.program_id, index)


@pytest.mark.parametrize("fn", ["approve_enrollment", "reject_enrollment"])
def test_approve_enrollment__not_a_validator_or_unknown__reverts(pw, pactors, program, fn):
    index = pw.enroll(program, enrollment_for(5), approve=False)
    with boa.env.prank(pactors.manager), boa.reverts("programs: caller is not a validator"):
        getattr(pw.programs, fn)(program.program_id, index)
    with boa.env.prank(pactors.validator), boa.reverts("programs: enrollment not proposed"):
        getattr(pw.programs, fn)(program.program_id, index + 1)


def test_approve_enrollment__rejected_program__reverts(pw, pactors):
    program = pw.create(approve=False, oracle=None)
    index = pw.enroll(program, enrollment_for(2), approve=False)
    with boa.env.prank(pactors.validator):
        pw.programs.reject_program(program.program_id)
    with boa.env.prank(pactors.validator), boa.reverts("programs: program rejected"):
        pw.programs.approve_enrollment(program.program_id, index)
