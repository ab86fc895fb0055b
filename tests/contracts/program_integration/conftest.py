"""One session-wide deployment of the real program contracts (world.py); every test runs inside
the parent conftest's `boa.env.anchor()` at block time NOW."""

import boa
import pytest

from tests.contracts.contract_world import NOW
from tests.contracts.program_integration.world import Chain, deploy_chain, fund


@pytest.fixture(scope="session")
def chain_deployed(factories, actors, deployed) -> Chain:
    boa.env.timestamp = NOW
    return deploy_chain(factories, actors)


@pytest.fixture
def chain(chain_deployed) -> Chain:
    fund(chain_deployed)
    return chain_deployed
