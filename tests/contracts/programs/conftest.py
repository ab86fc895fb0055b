"""Fixtures of the program tests: one session-wide deployment (its own Registry, Programs, a
CarbonCredit bound to Programs, two test forwarders as the proof contracts); every test runs inside
the parent conftest's `boa.env.anchor()`, so each starts from the same fresh chain."""

import boa
import pytest

from jcredit.program_tree import EnrollmentTree, SumTree
from tests.contracts.contract_world import FY2025_START, MAY_2025, NOW
from tests.contracts.programs.program_world import (
    Program,
    ProgramActors,
    ProgramWorld,
    deploy_programs,
    enrollment_for,
    fund,
    make_program_actors,
    results_for,
)


@pytest.fixture(scope="session")
def pactors(actors) -> ProgramActors:
    return make_program_actors(actors)


@pytest.fixture(scope="session")
def pdeployed(factories, actors, pactors, deployed) -> ProgramWorld:
    boa.env.timestamp = NOW
    return deploy_programs(factories, actors, pactors)


@pytest.fixture
def pw(pdeployed) -> ProgramWorld:
    fund(pdeployed.actors)
    return pdeployed


@pytest.fixture
def program(pw) -> Program:
    """An approved program (cap 500 t) with its oracle and 4 enrolled members."""
    return pw.ready(members=4)


@pytest.fixture
def april(program) -> SumTree:
    """April's results of the 4 members."""
    return results_for(program.enrollment, FY2025_START, MAY_2025)


@pytest.fixture
def pending(pw, program, april) -> tuple:
    """April submitted: its facts."""
    return pw.submit(program, april)


__all__ = ["EnrollmentTree", "enrollment_for"]
