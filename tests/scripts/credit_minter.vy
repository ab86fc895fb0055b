# pragma version ~=0.4.3
"""
@title Stand-in minter of CarbonCredit (tests only)
@notice CarbonCredit mints only for the contract it binds (MonitoringReports in production). The
        credits script tests bind this instead, so amounts are minted by hand. No access
        control: never deploy outside tests.
"""


interface ICarbonCredit:
    def mint(owner: address, token_id: uint256, amount: uint256): nonpayable


@external
def mint(credit: address, owner: address, token_id: uint256, amount: uint256):
    """
    @notice Mints `amount` of `token_id` to `owner` on the CarbonCredit that bound this contract.
    @param credit The CarbonCredit contract.
    @param owner The receiver.
    @param token_id The token id.
    @param amount Whole t-CO2.
    """
    extcall ICarbonCredit(credit).mint(owner, token_id, amount)
