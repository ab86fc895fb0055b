# pragma version ~=0.4.3
"""
@title Roles under a two-step admin whose grants wait out a delay
@custom:contract-name roles
@license MIT
@notice Named roles (validator, oracle, pauser) that only the admin grants
        and revokes. The admin is snekmate's `ownable` owner, moved in two
        steps by `ownable_2step`; no renounce function is exported, so the
        platform never loses its admin.

        Admin power policy, enforced here:
        - Until the admin calls `launch` (once, for good) the system is being
          set up: grants take effect at once and nothing can be reported.
        - After launch a grant only takes effect `ADMIN_DELAY` after it was
          scheduled (`grant_role`, then anyone calls `activate_role`), so every
          new validator or oracle is public for two days before it can act;
          the admin may cancel a scheduled grant. Revocation is immediate.
        - The admin can never hold VALIDATOR_ROLE, ORACLE_ROLE or
          REGISTRAR_ROLE, so it cannot approve, report or certify by itself,
          and it loses every role it holds when it hands the admin over
          (`accept_ownership`).
        snekmate's `access_control` is not used because its admin is itself a
        role that can be granted in one step and renounced.
"""

from snekmate.auth import ownable
from snekmate.auth import ownable_2step

uses: ownable
uses: ownable_2step


# @notice Validator / verifier (accredited audit body): approves projects and
#         meters, disputes monitoring reports.
VALIDATOR_ROLE: public(constant(bytes32)) = keccak256("VALIDATOR_ROLE")
# @notice Data-feed operator: submits monitoring reports of its projects.
ORACLE_ROLE: public(constant(bytes32)) = keccak256("ORACLE_ROLE")
# @notice May pause and unpause in an emergency.
PAUSER_ROLE: public(constant(bytes32)) = keccak256("PAUSER_ROLE")
# @notice Mirrors the J-Credit registry on chain: records each certification
#         round (certification number, reports, tonnes, serials) on
#         CarbonCredit. Held on the Registry; CarbonCredit asks it.
REGISTRAR_ROLE: public(constant(bytes32)) = keccak256("REGISTRAR_ROLE")
# @notice Seconds between scheduling an admin change after launch and its
#         effect (role grants; emission factors in `factor_table`).
ADMIN_DELAY: public(constant(uint64)) = 2 * 86400

_ROLES: constant(bytes32[4]) = [VALIDATOR_ROLE, ORACLE_ROLE, PAUSER_ROLE, REGISTRAR_ROLE]


# @notice `has_role[role][account]` is True when `account` holds `role`.
has_role: public(HashMap[bytes32, HashMap[address, bool]])
# @notice When a scheduled grant of `role` to `account` may be activated
#         (0 = none scheduled).
role_grant_eta: public(HashMap[bytes32, HashMap[address, uint64]])
# @notice True once the admin has launched the system (set-up is over).
launched: public(bool)


# @notice `account` received `role`; `sender` made it take effect.
event RoleGranted:
    role: indexed(bytes32)
    account: indexed(address)
    sender: indexed(address)


# @notice `account` lost `role`, taken by `sender`.
event RoleRevoked:
    role: indexed(bytes32)
    account: indexed(address)
    sender: indexed(address)


# @notice The admin scheduled a grant of `role` to `account`, due at `eta`.
event RoleGrantScheduled:
    role: indexed(bytes32)
    account: indexed(address)
    sender: indexed(address)
    eta: uint64


# @notice A scheduled grant of `role` to `account` was cancelled.
event RoleGrantCancelled:
    role: indexed(bytes32)
    account: indexed(address)
    sender: indexed(address)


# @notice The admin ended the set-up: from now on admin changes wait out
#         `ADMIN_DELAY` and reports may be submitted.
event Launched:
    sender: indexed(address)


@deploy
def __init__():
    """
    @notice Nothing to set: roles start empty, the admin is the deployer
            (set by `ownable`), the system is not launched.
    """
    pass


@external
def grant_role(role: bytes32, account: address):
    """
    @notice Gives `role` to `account` (admin only): at once before launch,
            otherwise scheduled for `ADMIN_DELAY` from now (see
            `activate_role`). Granting a role already held is a no-op
            without an event.
    @param role VALIDATOR_ROLE, ORACLE_ROLE, PAUSER_ROLE or REGISTRAR_ROLE.
    @param account The account that receives the role.
    """
    ownable._check_owner()
    assert role in _ROLES, "roles: unknown role"
    assert account != empty(address), "roles: zero account"
    self._check_not_admin(role, account)
    if self.has_role[role][account]:
        return
    if not self.launched:
        self._grant(role, account)
        return
    assert self.role_grant_eta[role][account] == 0, "roles: grant already scheduled"
    eta: uint64 = convert(block.timestamp, uint64) + ADMIN_DELAY
    self.role_grant_eta[role][account] = eta
    log RoleGrantScheduled(role=role, account=account, sender=msg.sender, eta=eta)


@external
def activate_role(role: bytes32, account: address):
    """
    @notice Makes a scheduled grant take effect once its delay has passed
            (anyone).
    @param role The role scheduled.
    @param account The account it was scheduled for.
    """
    eta: uint64 = self.role_grant_eta[role][account]
    assert eta != 0, "roles: no grant scheduled"
    assert block.timestamp >= convert(eta, uint256), "roles: grant not due"
    self._check_not_admin(role, account)
    self.role_grant_eta[role][account] = 0
    self._grant(role, account)


@external
def cancel_role_grant(role: bytes32, account: address):
    """
    @notice Cancels a scheduled grant (admin only).
    @param role The role scheduled.
    @param account The account it was scheduled for.
    """
    ownable._check_owner()
    assert self.role_grant_eta[role][account] != 0, "roles: no grant scheduled"
    self._cancel(role, account)


@external
def revoke_role(role: bytes32, account: address):
    """
    @notice Takes `role` from `account` at once and cancels a scheduled grant
            of it (admin only). Revoking a role not held is a no-op.
    @param role The role, keccak256 of its name.
    @param account The account that loses the role.
    """
    ownable._check_owner()
    if self.role_grant_eta[role][account] != 0:
        self._cancel(role, account)
    self._revoke(role, account)


@external
def launch():
    """
    @notice Ends the set-up for good (admin only): admin changes wait out
            `ADMIN_DELAY` from now on, and reports may be submitted.
    """
    ownable._check_owner()
    assert not self.launched, "roles: already launched"
    self.launched = True
    log Launched(sender=msg.sender)


@external
def accept_ownership():
    """
    @notice The pending admin accepts the admin role (two-step hand-over).
            The new admin must hold none of VALIDATOR_ROLE, ORACLE_ROLE and
            REGISTRAR_ROLE;
            the old admin loses every role it holds and every grant
            scheduled for it.
    """
    assert ownable_2step.pending_owner == msg.sender, "ownable_2step: caller is not the new owner"
    # The caller is not the admin yet, so `_check_not_admin` would pass: check
    # what it holds (a grant still scheduled for it cannot be activated once
    # it is the admin, see `activate_role`).
    assert not (
        self.has_role[VALIDATOR_ROLE][msg.sender]
        or self.has_role[ORACLE_ROLE][msg.sender]
        or self.has_role[REGISTRAR_ROLE][msg.sender]
    ), "roles: admin cannot hold this role"
    previous: address = ownable.owner
    ownable_2step._transfer_ownership(msg.sender)
    for role: bytes32 in _ROLES:
        if self.role_grant_eta[role][previous] != 0:
            self._cancel(role, previous)
        self._revoke(role, previous)


@internal
def _grant(role: bytes32, account: address):
    """
    @notice Gives `role` to `account` now, without checks (set-up and
            activation).
    @param role The role.
    @param account The account.
    """
    self.has_role[role][account] = True
    log RoleGranted(role=role, account=account, sender=msg.sender)


@internal
def _revoke(role: bytes32, account: address):
    """
    @notice Takes `role` from `account` if held (no event otherwise).
    @param role The role.
    @param account The account.
    """
    if self.has_role[role][account]:
        self.has_role[role][account] = False
        log RoleRevoked(role=role, account=account, sender=msg.sender)


@internal
def _cancel(role: bytes32, account: address):
    """
    @notice Drops the scheduled grant of `role` to `account`.
    @param role The role.
    @param account The account.
    """
    self.role_grant_eta[role][account] = 0
    log RoleGrantCancelled(role=role, account=account, sender=msg.sender)


@internal
@view
def _check_not_admin(role: bytes32, account: address):
    """
    @notice Reverts when `account` is the admin and `role` is one the admin
            may never hold (validator, oracle, registrar).
    @param role The role.
    @param account The account.
    """
    if role == VALIDATOR_ROLE or role == ORACLE_ROLE or role == REGISTRAR_ROLE:
        assert account != ownable.owner, "roles: admin cannot hold this role"


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
def _check_launched():
    """
    @notice Reverts while the system is still being set up.
    """
    assert self.launched, "roles: not launched"


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
