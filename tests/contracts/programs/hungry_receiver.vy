# pragma version ~=0.4.3
"""
@title Test-only receiver whose ether hook needs more gas than Programs forwards
@custom:contract-name hungry_receiver
@license MIT
@notice Receiving ether writes two fresh storage slots (over 40,000 gas):
        a payment from `Programs` (30,000 gas) fails and is owed, and
        `withdraw_from` then collects it with all the gas.
"""


interface IWithdraw:
    def withdraw(): nonpayable


# @notice Number of payments received.
received: public(uint256)
# @notice Amount of each payment, by its number.
amounts: public(HashMap[uint256, uint256])


@external
def withdraw_from(programs: address):
    """
    @notice Withdraws what `programs` owes this contract.
    @param programs The Programs contract.
    """
    extcall IWithdraw(programs).withdraw()


@external
@payable
def __default__():
    """
    @notice Records the payment (two fresh slots).
    """
    self.received += 1
    self.amounts[self.received] = msg.value
