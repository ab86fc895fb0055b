"""SDK fixtures: one deployment per module on Ape's embedded chain, rolled back after each test."""

from collections.abc import Iterator

import pytest

from tests.sdk.chain_world import SdkWorld, build_world


@pytest.fixture(scope="module")
def deployed() -> Iterator[SdkWorld]:
    from ape import accounts, networks

    with networks.parse_network_choice("ethereum:local:test") as provider:
        yield build_world(provider, accounts.test_accounts)


@pytest.fixture
def world(deployed: SdkWorld) -> Iterator[SdkWorld]:
    """The module's deployment; every change a test makes is rolled back after it."""
    from ape import chain

    snapshot = chain.snapshot()
    yield deployed
    chain.restore(snapshot)
