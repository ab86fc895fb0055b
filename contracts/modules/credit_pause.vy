# pragma version ~=0.4.3
"""
@title Emergency pause of the credits, free to check while unpaused
@custom:contract-name credit_pause
@license MIT
@notice `pause` / `unpause` (PAUSER_ROLE) over snekmate's `pausable`
        state, plus a check that costs a transfer
        or a mint ~20 gas instead of a cold storage read (2,100 gas) while
        the token is not paused.
        The hint is the contract's own ether balance (SELFBALANCE, 5 gas):
        `pause` must be sent with at least 1 wei and `unpause` sends the
        whole balance back to its caller, so
            paused => self.balance != 0.
        `_check_not_paused` reads the `pausable` flag only when the balance
        is non-zero: the flag stays the one source of truth. Nobody can
        break the invariant: no function sends ether while paused, and
        ether forced in from outside (a self-destruct, a block reward) can
        only make the balance non-zero, which costs transfers the storage
        read again until the next `unpause` returns it.
"""

from snekmate.utils import pausable
from . import roles

uses: pausable
uses: roles


@deploy
def __init__():
    """
    @notice Nothing to set: the token starts unpaused and holds no ether.
    """
    pass


@external
@payable
def pause():
    """
    @notice Stops minting and transfers (PAUSER_ROLE), sent with at least
            1 wei (kept until `unpause`). Emits `Paused`.
    """
    roles._check_pauser()
    assert msg.value != 0, "credit: pause needs 1 wei"
    pausable._pause()


@external
def unpause():
    """
    @notice Restarts minting and transfers (PAUSER_ROLE) and sends the
            contract's ether to the caller (if the caller refuses it, the
            ether stays and transfers only pay the storage read). Emits
            `Unpaused`.
    """
    roles._check_pauser()
    pausable._unpause()
    if self.balance != 0:
        # A refusal is not an error: the ether only keeps the hint set.
        returned: bool = raw_call(msg.sender, b"", value=self.balance, revert_on_failure=False)


@internal
@view
def _check_not_paused():
    """
    @notice Reverts while paused ("pausable: contract is paused"); reads the
            flag only when the contract holds ether (see the module notice).
    """
    if self.balance != 0:
        assert not pausable.paused, "pausable: contract is paused"
