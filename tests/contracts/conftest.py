"""Boa fixtures for the contract tests.

Contracts are compiled once per session (boa.load_partial) and every test runs inside
boa.env.anchor() at block time NOW over one session-wide deployment, so each test starts from
the same fresh chain.
"""

from collections.abc import Iterator

import boa
import pytest

from tests.contracts.contract_world import (
    NOW,
    Actors,
    Factories,
    Project,
    Submission,
    World,
    deploy_world,
    load_factories,
    make_actors,
)
from tests.contracts.report_world import APRIL, APRIL_G, APRIL_SC, BASE, MAY_2025


@pytest.fixture(scope="session")
def factories() -> Factories:
    """The four contracts, compiled once per session."""
    return load_factories()


@pytest.fixture(scope="session")
def actors() -> Actors:
    return make_actors()


@pytest.fixture(scope="session")
def deployed(factories, actors) -> World:
    """One deployment per session; tests see it through `world`, inside their own anchor."""
    boa.env.timestamp = NOW
    return deploy_world(factories, actors)


@pytest.fixture(autouse=True)
def fresh_chain(deployed) -> Iterator[None]:
    """Every test starts from the same chain state (fresh deployment, block time NOW)."""
    with boa.env.anchor():
        boa.env.timestamp = NOW
        yield


@pytest.fixture
def world(deployed) -> World:
    return deployed


@pytest.fixture
def project(world) -> Project:
    """A generation + export project monitored from FY2025_START: its first report carries the
    hand-computed BASE registers as start readings."""
    return world.monitored_project(baselines=BASE)


@pytest.fixture
def pending(world, project) -> tuple[Project, Submission]:
    """April submitted and waiting for its one-day challenge window."""
    return project, world.submit(project, MAY_2025, APRIL, APRIL_SC, APRIL_G)
