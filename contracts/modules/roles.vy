# pragma version ~=0.4.3
"""
@title Roles under a two-step admin
@custom:contract-name roles
@license MIT
@notice Named roles (validator, oracle, pauser, minter) that only the admin
        grants and revokes. The admin is snekmate's `ownable` owner, moved in
        two steps by `ownable_2step`; the deployable contracts do not export
        any renounce function, so the platform can never lose its admin.
        snekmate's `access_control` is not used because its admin is itself a
        role (`DEFAULT_ADMIN_ROLE`) that can be granted in one step and
        renounced, while the admin here must only move in two steps and
        never be renounced.
"""

from snekmate.auth import ownable

uses: ownable


# @notice Validator / verifier (accredited audit body): approves projects and
#         meters, disputes monitoring reports.
VALIDATOR_ROLE: public(constant(bytes32)) = keccak256("VALIDATOR_ROLE")
# @notice Data-feed operator: submits monitoring reports of its projects.
ORACLE_ROLE: public(constant(bytes32)) = keccak256("ORACLE_ROLE")
# @notice May pause and unpause in an emergency.
PAUSER_ROLE: public(constant(bytes32)) = keccak256("PAUSER_ROLE")
# @notice May mint credits (on CarbonCredit; held by the Registry).
MINTER_ROLE: public(constant(bytes32)) = keccak256("MINTER_ROLE")


# @notice `has_role[role][account]` is True when `account` holds `role`.
has_role: public(HashMap[bytes32, HashMap[address, bool]])


# @notice `account` received `role` from the admin `sender`.
event RoleGranted:
    role: indexed(bytes32)
    account: indexed(address)
    sender: indexed(address)


# @notice `account` lost `role`, taken by the admin `sender`.
event RoleRevoked:
    role: indexed(bytes32)
    account: indexed(address)
    sender: indexed(address)


@deploy
def __init__():
    """
    @notice Nothing to set: roles start empty, the admin is the deployer
            (set by `ownable`).
    """
    pass


@external
def grant_role(role: bytes32, account: address):
    """
    @notice Gives `role` to `account` (admin only). Granting a role already
            held is a no-op without an event.
    @param role The role, keccak256 of its name.
    @param account The account that receives the role.
    """
    ownable._check_owner()
    assert account != empty(address), "roles: zero account"
    if not self.has_role[role][account]:
        self.has_role[role][account] = True
        log RoleGranted(role=role, account=account, sender=msg.sender)


@external
def revoke_role(role: bytes32, account: address):
    """
    @notice Takes `role` from `account` (admin only). Revoking a role not
            held is a no-op without an event.
    @param role The role, keccak256 of its name.
    @param account The account that loses the role.
    """
    ownable._check_owner()
    if self.has_role[role][account]:
        self.has_role[role][account] = False
        log RoleRevoked(role=role, account=account, sender=msg.sender)


@internal
@view
def _check_validator():
    """
    @notice Reverts unless the caller holds VALIDATOR_ROLE.
    """
    assert self.has_role[VALIDATOR_ROLE][msg.sender], "roles: caller is not a validator"


@internal
@view
def _check_pauser():
    """
    @notice Reverts unless the caller holds PAUSER_ROLE.
    """
    assert self.has_role[PAUSER_ROLE][msg.sender], "roles: caller is not a pauser"


@internal
@view
def _check_minter():
    """
    @notice Reverts unless the caller holds MINTER_ROLE.
    """
    assert self.has_role[MINTER_ROLE][msg.sender], "roles: caller is not a minter"


@internal
@view
def _is_oracle(account: address) -> bool:
    """
    @notice Whether `account` holds ORACLE_ROLE.
    @param account The account to check.
    @return bool True when it holds the role.
    """
    return self.has_role[ORACLE_ROLE][account]


@internal
@view
def _is_validator(account: address) -> bool:
    """
    @notice Whether `account` holds VALIDATOR_ROLE.
    @param account The account to check.
    @return bool True when it holds the role.
    """
    return self.has_role[VALIDATOR_ROLE][account]
