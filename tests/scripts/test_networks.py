"""Networks a command cannot use, refused in one line before any connection is tried."""

import pytest
from click.testing import CliRunner

from tests.scripts.runner import script

BUYER = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"
NO_RPC = (
    "Error: ethereum:sepolia:node has no RPC configured: add `node: {ethereum: {sepolia: {uri: "
    "https://YOUR-RPC}}}` to ape-config.yaml (README, Real networks)"
)


@pytest.fixture
def offline(monkeypatch):
    """Fail the test instead of letting Ape try public RPCs (requests to hosts nobody chose)."""
    from ape_ethereum.provider import Web3Provider

    def no_public_rpc(self):
        pytest.fail("Ape went looking for a public RPC")

    monkeypatch.setattr(Web3Provider, "_get_random_rpc", no_public_rpc)
    monkeypatch.delenv("WEB3_PROVIDER_URI", raising=False)


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("credits", ["balance", BUYER]),
        ("oracle", ["verify", "--site", "README.md"]),
        ("deploy", []),
        ("project", ["list"]),
    ],
)
def test_sepolia_without_rpc__one_line_saying_what_to_configure(offline, name, args):
    result = CliRunner().invoke(script(name).cli, [*args, "--network", "ethereum:sepolia"])
    assert result.exit_code == 1, result.output
    assert result.output.strip() == NO_RPC
