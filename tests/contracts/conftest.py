"""Boa fixtures for the contract tests.

Contracts are compiled once per session (boa.load_partial) and every test runs inside
boa.env.anchor() at block time NOW over one session-wide deployment, so each test starts from
the same fresh chain.
"""

from collections.abc import Iterator

import boa
import pytest
from contract_world import CONTRACTS, NOW, Actors, World, deploy_world, make_actors


@pytest.fixture(scope="session")
def registry_factory():
    return boa.load_partial(str(CONTRACTS / "Registry.vy"))


@pytest.fixture(scope="session")
def credit_factory():
    return boa.load_partial(str(CONTRACTS / "CarbonCredit.vy"))


@pytest.fixture(scope="session")
def actors() -> Actors:
    return make_actors()


@pytest.fixture(scope="session")
def deployed(registry_factory, credit_factory, actors) -> World:
    """One deployment per session; tests see it through `world`, inside their own anchor."""
    return deploy_world(registry_factory, credit_factory, actors)


@pytest.fixture(autouse=True)
def fresh_chain(deployed) -> Iterator[None]:
    """Every test starts from the same chain state (fresh deployment, block time NOW)."""
    with boa.env.anchor():
        boa.env.timestamp = NOW
        yield


@pytest.fixture
def world(deployed) -> World:
    return deployed
