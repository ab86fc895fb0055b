"""Two-step admin and the roles policy (roles.vy) on both deployables that carry it, the Registry
and CarbonCredit; CarbonCredit's emergency pause (credit_pause.vy).

Policy under test: before `launch()` a grant takes effect at once; after it `grant_role` only
schedules the grant, which anyone activates ADMIN_DELAY (2 days) later, the admin may cancel it,
and a revocation is immediate and also cancels a scheduled grant. The admin may never hold
VALIDATOR_ROLE or ORACLE_ROLE, and `accept_ownership` strips the old admin of its roles and of
the grants scheduled for it. The world is launched; the pre-launch behaviour is tested on a
fresh deployment (`deploy_world(..., launch=False)`). The Registry has no pause of its own
(MonitoringReports pauses reporting): the pause tests are CarbonCredit's.
"""

import boa
import pytest

from tests.contracts.contract_world import deploy_world, events

ZERO = "0x0000000000000000000000000000000000000000"
DAY = 86400
ROLE_NAMES = ["VALIDATOR_ROLE", "ORACLE_ROLE", "PAUSER_ROLE"]
ADMIN_FORBIDDEN = ["VALIDATOR_ROLE", "ORACLE_ROLE", "REGISTRAR_ROLE"]
NOT_OWNER = "ownable: caller is not the owner"


@pytest.fixture(params=["registry", "credit"])
def contract(request, world):
    """A launched deployable."""
    return getattr(world, request.param)


@pytest.fixture(scope="session")
def setup_world(factories, actors):
    """A second world, deployed and wired but never launched (session-wide; every test runs in
    its own anchor)."""
    return deploy_world(factories, actors, launch=False)


@pytest.fixture(params=["registry", "credit"])
def unlaunched(request, setup_world):
    """A deployable still in set-up."""
    return getattr(setup_world, request.param)


def role(contract, name):
    return getattr(contract, name)()


def grant_now(contract, name, account, admin):
    """Gives the role whatever the phase: at once before launch, scheduled then activated."""
    with boa.env.prank(admin):
        contract.grant_role(role(contract, name), account)
    if not contract.has_role(role(contract, name), account):
        boa.env.time_travel(seconds=contract.ADMIN_DELAY())
        contract.activate_role(role(contract, name), account)


def hand_over(contract, old, new):
    with boa.env.prank(old):
        contract.transfer_ownership(new)
    with boa.env.prank(new):
        contract.accept_ownership()


# ---- constants, owner ------------------------------------------------------------------------


def test_role_constants__are_keccak_of_names(contract):
    for name in ROLE_NAMES:
        assert role(contract, name) == boa.eval(f'keccak256("{name}")')


def test_minter_role__does_not_exist(contract):
    assert not hasattr(contract, "MINTER_ROLE")


def test_admin_delay__two_days(contract):
    assert contract.ADMIN_DELAY() == 2 * DAY


def test_owner__is_deployer(contract, actors):
    assert contract.owner() == actors.admin
    assert contract.pending_owner() == ZERO


def test_renounce__is_not_exported(contract):
    assert not hasattr(contract, "renounce_ownership")
    assert not hasattr(contract, "renounceRole")


# ---- launch -----------------------------------------------------------------------------------


def test_launched__world__true(contract):
    assert contract.launched()


def test_launch__admin__once_and_logs(unlaunched, actors):
    assert not unlaunched.launched()
    with boa.env.prank(actors.admin):
        unlaunched.launch()
    assert events(unlaunched, "Launched") == [
        {"address": unlaunched.address, "sender": actors.admin}
    ]
    assert unlaunched.launched()


def test_launch__twice__reverts(contract, actors):
    with boa.env.prank(actors.admin), boa.reverts("roles: already launched"):
        contract.launch()


def test_launch__by_stranger__reverts(unlaunched, actors):
    with boa.env.prank(actors.stranger), boa.reverts(NOT_OWNER):
        unlaunched.launch()
    assert not unlaunched.launched()


# ---- grant before launch: immediate -----------------------------------------------------------


@pytest.mark.parametrize("name", ROLE_NAMES)
def test_grant_role__before_launch__immediate_and_logs(unlaunched, actors, name):
    with boa.env.prank(actors.admin):
        unlaunched.grant_role(role(unlaunched, name), actors.stranger)
    assert events(unlaunched, "RoleGranted") == [
        {
            "address": unlaunched.address,
            "role": role(unlaunched, name),
            "account": actors.stranger,
            "sender": actors.admin,
        }
    ]
    assert events(unlaunched, "RoleGrantScheduled") == []
    assert unlaunched.has_role(role(unlaunched, name), actors.stranger)
    assert unlaunched.role_grant_eta(role(unlaunched, name), actors.stranger) == 0


def test_grant_role__already_held__no_event(contract, actors):
    """The world's pauser already holds PAUSER_ROLE: nothing is scheduled or logged."""
    with boa.env.prank(actors.admin):
        contract.grant_role(role(contract, "PAUSER_ROLE"), actors.pauser)
    assert contract.get_logs() == []
    assert contract.role_grant_eta(role(contract, "PAUSER_ROLE"), actors.pauser) == 0


# ---- grant after launch: scheduled, activated, cancelled --------------------------------------


def test_grant_role__after_launch__scheduled_with_eta(contract, actors):
    oracle = role(contract, "ORACLE_ROLE")
    with boa.env.prank(actors.admin):
        contract.grant_role(oracle, actors.stranger)
    eta = boa.env.timestamp + 2 * DAY
    assert events(contract, "RoleGrantScheduled") == [
        {
            "address": contract.address,
            "role": oracle,
            "account": actors.stranger,
            "sender": actors.admin,
            "eta": eta,
        }
    ]
    assert events(contract, "RoleGranted") == []
    assert not contract.has_role(oracle, actors.stranger)
    assert contract.role_grant_eta(oracle, actors.stranger) == eta


def test_grant_role__already_scheduled__reverts(contract, actors):
    oracle = role(contract, "ORACLE_ROLE")
    with boa.env.prank(actors.admin):
        contract.grant_role(oracle, actors.stranger)
        with boa.reverts("roles: grant already scheduled"):
            contract.grant_role(oracle, actors.stranger)


def test_activate_role__before_eta__reverts(contract, actors):
    oracle = role(contract, "ORACLE_ROLE")
    with boa.env.prank(actors.admin):
        contract.grant_role(oracle, actors.stranger)
    boa.env.time_travel(seconds=2 * DAY - 1)
    with boa.env.prank(actors.stranger), boa.reverts("roles: grant not due"):
        contract.activate_role(oracle, actors.stranger)
    assert not contract.has_role(oracle, actors.stranger)


def test_activate_role__at_eta_by_anyone__grants_and_logs(contract, actors):
    oracle = role(contract, "ORACLE_ROLE")
    with boa.env.prank(actors.admin):
        contract.grant_role(oracle, actors.stranger)
    boa.env.time_travel(seconds=2 * DAY)
    with boa.env.prank(actors.buyer):
        contract.activate_role(oracle, actors.stranger)
    assert events(contract, "RoleGranted") == [
        {
            "address": contract.address,
            "role": oracle,
            "account": actors.stranger,
            "sender": actors.buyer,
        }
    ]
    assert contract.has_role(oracle, actors.stranger)
    assert contract.role_grant_eta(oracle, actors.stranger) == 0


def test_activate_role__nothing_scheduled__reverts(contract, actors):
    with boa.env.prank(actors.stranger), boa.reverts("roles: no grant scheduled"):
        contract.activate_role(role(contract, "ORACLE_ROLE"), actors.stranger)


def test_activate_role__twice__reverts(contract, actors):
    grant_now(contract, "ORACLE_ROLE", actors.stranger, actors.admin)
    with boa.reverts("roles: no grant scheduled"):
        contract.activate_role(role(contract, "ORACLE_ROLE"), actors.stranger)


def test_cancel_role_grant__admin__cancels_and_logs(contract, actors):
    oracle = role(contract, "ORACLE_ROLE")
    with boa.env.prank(actors.admin):
        contract.grant_role(oracle, actors.stranger)
        contract.cancel_role_grant(oracle, actors.stranger)
    assert events(contract, "RoleGrantCancelled") == [
        {
            "address": contract.address,
            "role": oracle,
            "account": actors.stranger,
            "sender": actors.admin,
        }
    ]
    assert contract.role_grant_eta(oracle, actors.stranger) == 0
    boa.env.time_travel(seconds=2 * DAY)
    with boa.reverts("roles: no grant scheduled"):
        contract.activate_role(oracle, actors.stranger)
    assert not contract.has_role(oracle, actors.stranger)


def test_cancel_role_grant__by_stranger__reverts(contract, actors):
    oracle = role(contract, "ORACLE_ROLE")
    with boa.env.prank(actors.admin):
        contract.grant_role(oracle, actors.stranger)
    with boa.env.prank(actors.stranger), boa.reverts(NOT_OWNER):
        contract.cancel_role_grant(oracle, actors.stranger)


def test_cancel_role_grant__nothing_scheduled__reverts(contract, actors):
    with boa.env.prank(actors.admin), boa.reverts("roles: no grant scheduled"):
        contract.cancel_role_grant(role(contract, "ORACLE_ROLE"), actors.stranger)


# ---- grant: refused ---------------------------------------------------------------------------


def test_grant_role__by_stranger__reverts(contract, actors):
    with boa.env.prank(actors.stranger), boa.reverts(NOT_OWNER):
        contract.grant_role(role(contract, "ORACLE_ROLE"), actors.stranger)


def test_grant_role__zero_account__reverts(contract, actors):
    with boa.env.prank(actors.admin), boa.reverts("roles: zero account"):
        contract.grant_role(role(contract, "ORACLE_ROLE"), ZERO)


@pytest.mark.parametrize("name", ["MINTER_ROLE", "DEFAULT_ADMIN_ROLE", "ADMIN_ROLE"])
def test_grant_role__unknown_role__reverts(contract, actors, name):
    with boa.env.prank(actors.admin), boa.reverts("roles: unknown role"):
        contract.grant_role(boa.eval(f'keccak256("{name}")'), actors.stranger)


def test_grant_role__zero_role__reverts(unlaunched, actors):
    with boa.env.prank(actors.admin), boa.reverts("roles: unknown role"):
        unlaunched.grant_role(b"\x00" * 32, actors.stranger)


@pytest.mark.parametrize("name", ADMIN_FORBIDDEN)
def test_grant_role__admin_validator_or_oracle__reverts(contract, actors, name):
    with boa.env.prank(actors.admin), boa.reverts("roles: admin cannot hold this role"):
        contract.grant_role(role(contract, name), actors.admin)


@pytest.mark.parametrize("name", ADMIN_FORBIDDEN)
def test_grant_role__admin_validator_or_oracle_before_launch__reverts(unlaunched, actors, name):
    with boa.env.prank(actors.admin), boa.reverts("roles: admin cannot hold this role"):
        unlaunched.grant_role(role(unlaunched, name), actors.admin)


def test_grant_role__admin_pauser__allowed(unlaunched, actors):
    with boa.env.prank(actors.admin):
        unlaunched.grant_role(role(unlaunched, "PAUSER_ROLE"), actors.admin)
    assert unlaunched.has_role(role(unlaunched, "PAUSER_ROLE"), actors.admin)


def test_activate_role__account_became_admin__reverts(contract, actors):
    """A grant scheduled before the account became admin cannot make the admin an oracle."""
    oracle = role(contract, "ORACLE_ROLE")
    with boa.env.prank(actors.admin):
        contract.grant_role(oracle, actors.holder)
    hand_over(contract, actors.admin, actors.holder)
    boa.env.time_travel(seconds=2 * DAY)
    with boa.reverts("roles: admin cannot hold this role"):
        contract.activate_role(oracle, actors.holder)
    assert not contract.has_role(oracle, actors.holder)


# ---- revoke -----------------------------------------------------------------------------------


def test_revoke_role__by_admin__immediate_and_logs(contract, actors):
    pauser = role(contract, "PAUSER_ROLE")
    with boa.env.prank(actors.admin):
        contract.revoke_role(pauser, actors.pauser)
    assert events(contract, "RoleRevoked") == [
        {
            "address": contract.address,
            "role": pauser,
            "account": actors.pauser,
            "sender": actors.admin,
        }
    ]
    assert not contract.has_role(pauser, actors.pauser)


def test_revoke_role__scheduled_grant__cancels_it(contract, actors):
    oracle = role(contract, "ORACLE_ROLE")
    with boa.env.prank(actors.admin):
        contract.grant_role(oracle, actors.stranger)
        contract.revoke_role(oracle, actors.stranger)
    assert events(contract, "RoleGrantCancelled") == [
        {
            "address": contract.address,
            "role": oracle,
            "account": actors.stranger,
            "sender": actors.admin,
        }
    ]
    assert events(contract, "RoleRevoked") == []  # never held
    assert contract.role_grant_eta(oracle, actors.stranger) == 0
    boa.env.time_travel(seconds=2 * DAY)
    with boa.reverts("roles: no grant scheduled"):
        contract.activate_role(oracle, actors.stranger)


def test_revoke_role__not_held__no_event(contract, actors):
    with boa.env.prank(actors.admin):
        contract.revoke_role(role(contract, "PAUSER_ROLE"), actors.stranger)
    assert contract.get_logs() == []


def test_revoke_role__by_stranger__reverts(contract, actors):
    with boa.env.prank(actors.stranger), boa.reverts(NOT_OWNER):
        contract.revoke_role(role(contract, "PAUSER_ROLE"), actors.pauser)
    assert contract.has_role(role(contract, "PAUSER_ROLE"), actors.pauser)


# ---- two-step admin hand-over -----------------------------------------------------------------


def test_transfer_ownership__two_steps__new_admin_accepts(contract, actors):
    with boa.env.prank(actors.admin):
        contract.transfer_ownership(actors.holder)
    assert events(contract, "OwnershipTransferStarted") == [
        {"address": contract.address, "previous_owner": actors.admin, "new_owner": actors.holder}
    ]
    assert contract.owner() == actors.admin
    assert contract.pending_owner() == actors.holder
    with boa.env.prank(actors.holder):
        contract.accept_ownership()
    assert events(contract, "OwnershipTransferred") == [
        {"address": contract.address, "previous_owner": actors.admin, "new_owner": actors.holder}
    ]
    assert contract.owner() == actors.holder
    assert contract.pending_owner() == ZERO


def test_accept_ownership__new_admin_grants_old_admin_cannot(contract, actors):
    hand_over(contract, actors.admin, actors.holder)
    with boa.env.prank(actors.holder):
        contract.grant_role(role(contract, "ORACLE_ROLE"), actors.stranger)
    assert contract.role_grant_eta(role(contract, "ORACLE_ROLE"), actors.stranger) != 0
    with boa.env.prank(actors.admin), boa.reverts(NOT_OWNER):
        contract.grant_role(role(contract, "PAUSER_ROLE"), actors.buyer)


def test_transfer_ownership__by_stranger__reverts(contract, actors):
    with boa.env.prank(actors.stranger), boa.reverts(NOT_OWNER):
        contract.transfer_ownership(actors.stranger)


def test_accept_ownership__by_other_than_pending__reverts(contract, actors):
    with boa.env.prank(actors.admin):
        contract.transfer_ownership(actors.holder)
    with boa.env.prank(actors.stranger), boa.reverts("ownable_2step: caller is not the new owner"):
        contract.accept_ownership()
    assert contract.owner() == actors.admin


@pytest.mark.parametrize("name", ADMIN_FORBIDDEN)
def test_accept_ownership__new_admin_holding_validator_or_oracle__reverts(contract, actors, name):
    grant_now(contract, name, actors.holder, actors.admin)
    with boa.env.prank(actors.admin):
        contract.transfer_ownership(actors.holder)
    with boa.env.prank(actors.holder), boa.reverts("roles: admin cannot hold this role"):
        contract.accept_ownership()
    assert contract.owner() == actors.admin


def test_accept_ownership__after_role_revoked__succeeds(contract, actors):
    grant_now(contract, "ORACLE_ROLE", actors.holder, actors.admin)
    with boa.env.prank(actors.admin):
        contract.transfer_ownership(actors.holder)
        contract.revoke_role(role(contract, "ORACLE_ROLE"), actors.holder)
    with boa.env.prank(actors.holder):
        contract.accept_ownership()
    assert contract.owner() == actors.holder


def test_accept_ownership__strips_old_admin_roles(contract, actors):
    pauser = role(contract, "PAUSER_ROLE")
    grant_now(contract, "PAUSER_ROLE", actors.admin, actors.admin)
    assert contract.has_role(pauser, actors.admin)
    hand_over(contract, actors.admin, actors.holder)
    assert events(contract, "RoleRevoked") == [
        {
            "address": contract.address,
            "role": pauser,
            "account": actors.admin,
            "sender": actors.holder,
        }
    ]
    assert not contract.has_role(pauser, actors.admin)
    assert contract.has_role(pauser, actors.pauser)  # other holders keep theirs


def test_accept_ownership__cancels_grants_scheduled_for_old_admin(contract, actors):
    pauser = role(contract, "PAUSER_ROLE")
    with boa.env.prank(actors.admin):
        contract.grant_role(pauser, actors.admin)
    assert contract.role_grant_eta(pauser, actors.admin) != 0
    hand_over(contract, actors.admin, actors.holder)
    assert events(contract, "RoleGrantCancelled") == [
        {
            "address": contract.address,
            "role": pauser,
            "account": actors.admin,
            "sender": actors.holder,
        }
    ]
    assert contract.role_grant_eta(pauser, actors.admin) == 0
    boa.env.time_travel(seconds=2 * DAY)
    with boa.reverts("roles: no grant scheduled"):
        contract.activate_role(pauser, actors.admin)


def test_accept_ownership__old_admin_without_roles__no_role_events(contract, actors):
    hand_over(contract, actors.admin, actors.holder)
    assert events(contract, "RoleRevoked") == []
    assert events(contract, "RoleGrantCancelled") == []


# ---- CarbonCredit pause -----------------------------------------------------------------------


@pytest.fixture
def credit(world, actors):
    boa.env.set_balance(actors.pauser, 10**18)
    boa.env.set_balance(actors.stranger, 10**18)
    boa.env.set_balance(actors.admin, 10**18)
    return world.credit


def test_pause_unpause__by_pauser__toggles_and_logs(credit, actors):
    with boa.env.prank(actors.pauser):
        credit.pause(value=1)
    assert events(credit, "Paused") == [{"address": credit.address, "account": actors.pauser}]
    assert credit.paused()
    with boa.env.prank(actors.pauser):
        credit.unpause()
    assert events(credit, "Unpaused") == [{"address": credit.address, "account": actors.pauser}]
    assert not credit.paused()


@pytest.mark.parametrize("caller", ["stranger", "admin"])
def test_pause__without_pauser_role__reverts(credit, actors, caller):
    with boa.env.prank(getattr(actors, caller)), boa.reverts("roles: caller is not a pauser"):
        credit.pause(value=1)
    assert not credit.paused()


def test_pause__without_wei__reverts(credit, actors):
    with boa.env.prank(actors.pauser), boa.reverts("credit: pause needs 1 wei"):
        credit.pause()


def test_pause__when_paused__reverts(credit, actors):
    with boa.env.prank(actors.pauser):
        credit.pause(value=1)
        with boa.reverts("pausable: contract is paused"):
            credit.pause(value=1)


def test_pause__pauser_revoked__reverts(credit, actors):
    with boa.env.prank(actors.admin):
        credit.revoke_role(role(credit, "PAUSER_ROLE"), actors.pauser)
    with boa.env.prank(actors.pauser), boa.reverts("roles: caller is not a pauser"):
        credit.pause(value=1)


def test_unpause__by_stranger__reverts(credit, actors):
    with boa.env.prank(actors.pauser):
        credit.pause(value=1)
    with boa.env.prank(actors.stranger), boa.reverts("roles: caller is not a pauser"):
        credit.unpause()
    assert credit.paused()


def test_unpause__when_not_paused__reverts(credit, actors):
    with boa.env.prank(actors.pauser), boa.reverts("pausable: contract is not paused"):
        credit.unpause()


def test_registry__has_no_pause(world):
    assert not hasattr(world.registry, "pause")
