# pragma version ~=0.4.3
"""
@title Oracle bonds: what an oracle loses when a fraud proof refutes it
@custom:contract-name oracle_bonds
@license MIT
@notice An oracle may only be assigned to a project while it keeps at
        least `min_bond` (in the chain's native currency) bonded here, and
        cannot start taking it back while assigned anywhere. A successful fraud proof pays the whole bond to the
        challenger (and the Registry takes the oracle's role), so trying to
        inflate a report costs more than its gas. Leaving takes
        `UNBOND_DELAY`, longer than any report can stay open (challenge
        window plus dispute timeout), so a bond cannot be withdrawn from
        under a report that is still challengeable.
"""

from ..interfaces import IRegistry
from . import constants


# @notice Seconds between asking for a bond back and getting it: the longest
#         challenge window (30 days) plus the dispute timeout (14 days).
UNBOND_DELAY: public(constant(uint64)) = 44 * 86400
# @dev Marks a refuted oracle's bond slot: no bond again, and its other
#      pending reports are undone instead of finalized.
_SLASHED: constant(uint256) = 1 << 255

# @notice Least bond an oracle must keep to be assigned to a project.
min_bond: public(immutable(uint256))
# @dev The Registry, which counts each oracle's project assignments.
_bond_registry: immutable(address)

# @dev Per oracle: bonded amount (bits 0-127), time it may withdraw
#      (128-191; 0 = not leaving), slashed (bit 255: refuted for good).
_bonds: HashMap[address, uint256]


# @notice `oracle` added `amount` to its bond, now `total`.
event BondPosted:
    oracle: indexed(address)
    amount: uint256
    total: uint256


# @notice `oracle` asked for its bond back; it may withdraw from `available_at`.
event UnbondRequested:
    oracle: indexed(address)
    available_at: uint64


# @notice `oracle` withdrew its bond of `amount`.
event BondWithdrawn:
    oracle: indexed(address)
    amount: uint256


# @notice A fraud proof took `oracle`'s bond of `amount` for `challenger`.
event BondSlashed:
    oracle: indexed(address)
    challenger: indexed(address)
    amount: uint256


@deploy
def __init__(min_bond_: uint256, registry_: address):
    """
    @notice Sets the least bond (non-zero) and the Registry.
    @param min_bond_ In the chain's native currency (wei).
    @param registry_ The Registry.
    """
    assert min_bond_ != 0, "reports: zero minimum bond"
    min_bond = min_bond_
    _bond_registry = registry_


@external
@payable
def post_bond():
    """
    @notice Adds `msg.value` to the caller's bond (not while it is leaving:
            it would leave with it).
    """
    assert msg.value != 0, "reports: zero bond"
    bond: uint256 = self._bonds[msg.sender]
    assert bond & _SLASHED == 0, "reports: oracle slashed"
    assert bond >> 128 == 0, "reports: already unbonding"
    total: uint256 = (bond & constants.MASK_128) + msg.value
    assert total <= constants.MASK_128, "reports: bond too large"
    self._bonds[msg.sender] = (bond & ~constants.MASK_128) | total
    log BondPosted(oracle=msg.sender, amount=msg.value, total=total)


@external
def request_unbond():
    """
    @notice Starts leaving (an oracle assigned to no project): the caller
            stops being bonded now and may withdraw its bond after
            `UNBOND_DELAY`.
    """
    assert staticcall IRegistry(_bond_registry).oracle_assignments(msg.sender) == 0, "reports: oracle still assigned"
    bond: uint256 = self._bonds[msg.sender]
    assert bond & constants.MASK_128 != 0, "reports: no bond"
    assert bond >> 128 == 0, "reports: already unbonding"
    available_at: uint64 = convert(block.timestamp, uint64) + UNBOND_DELAY
    self._bonds[msg.sender] = bond | (convert(available_at, uint256) << 128)
    log UnbondRequested(oracle=msg.sender, available_at=available_at)


@external
@nonreentrant
def withdraw_bond():
    """
    @notice Sends the caller its whole bond once its unbonding delay passed.
    """
    bond: uint256 = self._bonds[msg.sender]
    available_at: uint256 = (bond >> 128) & constants.MASK_64
    assert available_at != 0, "reports: not unbonding"
    assert block.timestamp >= available_at, "reports: bond still locked"
    amount: uint256 = bond & constants.MASK_128
    self._bonds[msg.sender] = 0
    log BondWithdrawn(oracle=msg.sender, amount=amount)
    if amount != 0:
        raw_call(msg.sender, b"", value=amount)


@external
@view
def bond_of(oracle: address) -> (uint256, uint64):
    """
    @notice An oracle's bond and when it may withdraw it (0: not leaving).
    @param oracle The oracle.
    @return The bonded amount and the withdrawal time.
    """
    bond: uint256 = self._bonds[oracle]
    return bond & constants.MASK_128, convert((bond >> 128) & constants.MASK_64, uint64)


@external
@view
def is_bonded(oracle: address) -> bool:
    """
    @notice Whether `oracle` keeps at least `min_bond` and is not leaving.
    @param oracle The oracle.
    @return True when it may be assigned and report.
    """
    return self._is_bonded(oracle)


@external
@view
def is_slashed(oracle: address) -> bool:
    """
    @notice Whether a fraud proof refuted `oracle` (for good: it can never
            bond again, and its other pending reports are undone).
    @param oracle The oracle.
    @return True when refuted.
    """
    return self._is_slashed(oracle)


@internal
@view
def _is_slashed(oracle: address) -> bool:
    """
    @notice Whether a fraud proof refuted `oracle`.
    @param oracle The oracle.
    @return bool True when refuted.
    """
    return self._bonds[oracle] & _SLASHED != 0


@internal
@view
def _is_bonded(oracle: address) -> bool:
    """
    @notice Whether `oracle` keeps at least `min_bond` and is not leaving.
    @param oracle The oracle.
    @return bool True when bonded.
    """
    bond: uint256 = self._bonds[oracle]
    return bond >> 128 == 0 and bond & constants.MASK_128 >= min_bond


@internal
def _slash(oracle: address, challenger: address) -> uint256:
    """
    @notice Takes the oracle's whole bond and pays it to the challenger.
            Callers must be `@nonreentrant`.
    @param oracle The refuted oracle.
    @param challenger Who proved the fraud.
    @return uint256 The amount paid.
    """
    amount: uint256 = self._bonds[oracle] & constants.MASK_128
    self._bonds[oracle] = _SLASHED
    log BondSlashed(oracle=oracle, challenger=challenger, amount=amount)
    if amount != 0:
        raw_call(challenger, b"", value=amount)
    return amount
