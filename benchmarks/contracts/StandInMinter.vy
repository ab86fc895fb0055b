# pragma version ~=0.4.3
"""
@title Stand-in minter of the ERC-1155 benchmark
@custom:contract-name StandInMinter
@license MIT
@notice Bound with `CarbonCredit.bind_registry` in place of the
        MonitoringReports contract (the minter must be a contract), so the
        benchmark can mint without submitting reports. Anyone may call it:
        benchmark use only, never deployed for real.
"""


interface ICarbonCredit:
    def mint(owner: address, token_id: uint256, amount: uint256): nonpayable


@external
def mint(credit: address, owner: address, token_id: uint256, amount: uint256):
    """
    @notice Mints `amount` of `token_id` to `owner` on `credit`.
    @param credit The CarbonCredit that bound this contract.
    @param owner Receiver of the credits.
    @param token_id The credit token id.
    @param amount Whole t-CO2.
    """
    extcall ICarbonCredit(credit).mint(owner, token_id, amount)
