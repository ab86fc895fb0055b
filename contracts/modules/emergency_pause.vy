# pragma version ~=0.4.3
"""
@title Emergency pause, switched by the pauser role
@custom:contract-name emergency_pause
@license MIT
@notice `pause` / `unpause` externals over snekmate's `pausable` state. What a
        pause stops is decided by the contract that uses this module (see the
        NatSpec of Registry and CarbonCredit).
"""

from snekmate.utils import pausable
from . import roles

uses: pausable
uses: roles


@deploy
def __init__():
    """
    @notice Nothing to set: contracts start unpaused.
    """
    pass


@external
def pause():
    """
    @notice Stops the guarded functions (PAUSER_ROLE). Emits `Paused`.
    """
    roles._check_pauser()
    pausable._pause()


@external
def unpause():
    """
    @notice Restarts the guarded functions (PAUSER_ROLE). Emits `Unpaused`.
    """
    roles._check_pauser()
    pausable._unpause()
