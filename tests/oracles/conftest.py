"""Oracle test fixtures: a module-scoped anvil world, rolled back after each test."""

from collections.abc import Iterator

import pytest

from tests.oracles.anvil_world import Anvil, Proxy, World, build_world


@pytest.fixture(scope="module")
def anvil_world(tmp_path_factory) -> Iterator[World]:
    """Deployed contracts and a registered simulated site on a fresh anvil, through a proxy."""
    from ape import accounts, networks

    anvil = Anvil()
    proxy = Proxy(anvil.port)
    settings = {"host": f"http://127.0.0.1:{proxy.port}", "manage_process": False}
    try:
        with networks.parse_network_choice(
            "ethereum:local:foundry", provider_settings=settings
        ) as provider:
            yield build_world(
                tmp_path_factory.mktemp("oracle"), provider, accounts.test_accounts, proxy
            )
    finally:
        proxy.down()
        anvil.stop()


@pytest.fixture
def world(anvil_world: World) -> Iterator[World]:
    """The module's world, rolled back to its registered-but-not-started state after each test."""
    snapshot = anvil_world.provider.snapshot()
    yield anvil_world
    anvil_world.proxy.down()
    anvil_world.proxy.up()
    anvil_world.rpc("evm_setAutomine", [True])
    anvil_world.provider.restore(snapshot)
