"""Two-step admin, roles and the emergency pause, on both deployables."""

import boa
import pytest

from tests.contracts.contract_world import events

ROLE_NAMES = ["VALIDATOR_ROLE", "ORACLE_ROLE", "PAUSER_ROLE", "MINTER_ROLE"]


@pytest.fixture(params=["registry", "credit"])
def contract(request, world):
    return getattr(world, request.param)


def test_role_constants__are_keccak_of_names(contract):
    for name in ROLE_NAMES:
        assert getattr(contract, name)() == boa.eval(f'keccak256("{name}")')


def test_owner__is_deployer(contract, actors):
    assert contract.owner() == actors.admin
    assert contract.pending_owner() == boa.eval("empty(address)")


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
    assert contract.pending_owner() == boa.eval("empty(address)")
    with boa.env.prank(actors.holder):
        contract.grant_role(contract.ORACLE_ROLE(), actors.stranger)
    assert contract.has_role(contract.ORACLE_ROLE(), actors.stranger)


def test_transfer_ownership__by_stranger__reverts(contract, actors):
    with boa.env.prank(actors.stranger), boa.reverts("ownable: caller is not the owner"):
        contract.transfer_ownership(actors.stranger)


def test_accept_ownership__by_other_than_pending__reverts(contract, actors):
    with boa.env.prank(actors.admin):
        contract.transfer_ownership(actors.holder)
    with boa.env.prank(actors.stranger), boa.reverts("ownable_2step: caller is not the new owner"):
        contract.accept_ownership()


def test_renounce__is_not_exported(contract):
    assert not hasattr(contract, "renounce_ownership")
    assert not hasattr(contract, "renounceRole")


def test_grant_role__by_admin__grants_and_logs(contract, actors):
    role = contract.ORACLE_ROLE()
    with boa.env.prank(actors.admin):
        contract.grant_role(role, actors.stranger)
    logged = events(contract, "RoleGranted")
    assert contract.has_role(role, actors.stranger)
    assert logged == [
        {
            "address": contract.address,
            "role": role,
            "account": actors.stranger,
            "sender": actors.admin,
        }
    ]


def test_grant_role__already_held__no_event(contract, actors):
    role = contract.ORACLE_ROLE()
    with boa.env.prank(actors.admin):
        contract.grant_role(role, actors.stranger)
        contract.grant_role(role, actors.stranger)
    assert events(contract, "RoleGranted") == []
    assert contract.has_role(role, actors.stranger)


def test_grant_role__by_stranger__reverts(contract, actors):
    with boa.env.prank(actors.stranger), boa.reverts("ownable: caller is not the owner"):
        contract.grant_role(contract.ORACLE_ROLE(), actors.stranger)


def test_grant_role__zero_account__reverts(contract, actors):
    with boa.env.prank(actors.admin), boa.reverts("roles: zero account"):
        contract.grant_role(contract.ORACLE_ROLE(), boa.eval("empty(address)"))


def test_revoke_role__by_admin__revokes_and_logs(contract, actors):
    role = contract.PAUSER_ROLE()
    with boa.env.prank(actors.admin):
        contract.revoke_role(role, actors.pauser)
    logged = events(contract, "RoleRevoked")
    assert not contract.has_role(role, actors.pauser)
    assert logged == [
        {
            "address": contract.address,
            "role": role,
            "account": actors.pauser,
            "sender": actors.admin,
        }
    ]


def test_revoke_role__not_held__no_event(contract, actors):
    with boa.env.prank(actors.admin):
        contract.revoke_role(contract.PAUSER_ROLE(), actors.stranger)
    assert events(contract, "RoleRevoked") == []


def test_revoke_role__by_stranger__reverts(contract, actors):
    with boa.env.prank(actors.stranger), boa.reverts("ownable: caller is not the owner"):
        contract.revoke_role(contract.PAUSER_ROLE(), actors.pauser)


def test_pause_unpause__by_pauser__toggles_and_logs(contract, actors):
    with boa.env.prank(actors.pauser):
        contract.pause()
    assert events(contract, "Paused") == [{"address": contract.address, "account": actors.pauser}]
    assert contract.paused()
    with boa.env.prank(actors.pauser):
        contract.unpause()
    assert events(contract, "Unpaused") == [{"address": contract.address, "account": actors.pauser}]
    assert not contract.paused()


def test_pause__by_stranger__reverts(contract, actors):
    with boa.env.prank(actors.stranger), boa.reverts("roles: caller is not a pauser"):
        contract.pause()


def test_pause__by_admin_without_role__reverts(contract, actors):
    with boa.env.prank(actors.admin), boa.reverts("roles: caller is not a pauser"):
        contract.pause()


def test_pause__when_paused__reverts(contract, actors):
    with boa.env.prank(actors.pauser):
        contract.pause()
        with boa.reverts("pausable: contract is paused"):
            contract.pause()


def test_unpause__by_stranger__reverts(contract, actors):
    with boa.env.prank(actors.pauser):
        contract.pause()
    with boa.env.prank(actors.stranger), boa.reverts("roles: caller is not a pauser"):
        contract.unpause()


def test_unpause__when_not_paused__reverts(contract, actors):
    with boa.env.prank(actors.pauser), boa.reverts("pausable: contract is not paused"):
        contract.unpause()


def test_registry_constructor__zero_credit__reverts(registry_factory):
    with boa.reverts("registry: zero credit address"):
        registry_factory.deploy(boa.eval("empty(address)"))


def test_registry_constructor__binds_credit(world):
    assert world.registry.credit() == world.credit.address
    assert world.registry.challenge_window() == 0
    assert world.registry.report_count() == 0
