"""End-to-end demo on the local anvil devnet (`make demo`)."""

import click
from ape import accounts, chain
from ape.cli import ConnectedProviderCommand, network_option


@click.command(cls=ConnectedProviderCommand)
@network_option()
def cli(provider) -> None:
    """Start the devnet and show the chain and the funded devnet test accounts."""
    network = provider.network
    click.echo(f"network: {network.ecosystem.name}:{network.name}:{provider.name}")
    click.echo(f"chain id: {chain.chain_id}, block: {chain.blocks.height}")
    for account in accounts.test_accounts[:3]:
        click.echo(f"devnet test account {account.address}: {account.balance / 10**18:.0f} ETH")
