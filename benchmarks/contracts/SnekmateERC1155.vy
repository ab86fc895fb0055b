# pragma version ~=0.4.3
"""
@title Plain snekmate ERC-1155, the transfer-gas baseline of bench_gas
@custom:contract-name SnekmateERC1155
@license MIT
@notice snekmate's erc1155 module exported as is, nothing added, so
        CarbonCredit's transfer can be compared with it in the same run.
"""

from snekmate.auth import ownable
from snekmate.tokens import erc1155

initializes: ownable
initializes: erc1155[ownable := ownable]

exports: erc1155.__interface__


@deploy
def __init__():
    """
    @notice Deployer is owner and minter.
    """
    ownable.__init__()
    erc1155.__init__("https://baseline.example/")
