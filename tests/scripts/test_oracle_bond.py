"""`ape run oracle bond show|post|request-unbond|withdraw` on the embedded chain.

One oracle's story on one module-scoped chain, in file order (a newcomer bonds, leaves, waits out
the delay, withdraws; the assigned devnet oracle cannot leave): run the module, not one test.
Refused commands change nothing (nonce and bond unchanged).
"""

import json

import pytest

from tests.scripts.runner import REGISTER_PLANT, ok, refused

ORACLE = "0x90F79bf6EB2c4f870365E785982E1f101E93b906"  # TEST::3, bonded by deploy on a devnet
NEWCOMER = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc"  # TEST::5
UNBOND_DELAY_S = 44 * 86400


@pytest.fixture(scope="module")
def reports(run, deployments_dir):
    from ape import project

    ok(run("deploy", "--force"))
    deployed = json.loads((deployments_dir / "ethereum-local.json").read_text())
    return project.MonitoringReports.at(deployed["reports"])


def test_show__the_devnet_oracle_is_bonded_by_deploy(run, reports):
    out = ok(run("oracle", "bond", "show"))
    assert f"oracle {ORACLE}: 1 ether (1000000000000000000 wei) bonded" in out
    assert "assignable  yes" in out
    newcomer = ok(run("oracle", "bond", "show", "--address", NEWCOMER))
    assert "0 ether (0 wei) bonded" in newcomer and "assignable  no" in newcomer


def test_post__adds_to_the_bond_and_bad_amounts_are_refused(run, reports):
    from ape import accounts

    nonce = accounts.test_accounts[5].nonce
    bad = refused(run("oracle", "bond", "post", "--amount", "-1 ether", "--account", "TEST::5"))
    assert "--amount: '-1 ether' is not a positive amount" in bad
    assert accounts.test_accounts[5].nonce == nonce
    out = ok(run("oracle", "bond", "post", "--amount", "0.5 ether", "--account", "TEST::5"))
    assert f"oracle {NEWCOMER}: posted 0.5 ether" in out
    assert reports.bond_of(NEWCOMER)[0] == 5 * 10**17 and not reports.is_bonded(NEWCOMER)
    out = ok(run("oracle", "bond", "post", "--account", "TEST::5"))  # the minimum by default
    assert "bond 1.5 ether (1500000000000000000 wei)" in out
    assert reports.is_bonded(NEWCOMER)


def test_request_unbond_then_withdraw_after_the_delay(run, reports):
    from ape import accounts

    out = ok(run("oracle", "bond", "request-unbond", "--account", "TEST::5"))
    assert f"oracle {NEWCOMER}: unbonding; `ape run oracle bond withdraw` from" in out
    assert not reports.is_bonded(NEWCOMER)
    nonce = accounts.test_accounts[5].nonce
    early = refused(run("oracle", "bond", "withdraw", "--account", "TEST::5"))
    assert f"oracle {NEWCOMER}: the bond is locked until" in early
    assert accounts.test_accounts[5].nonce == nonce
    ok(run("devnet", "advance-time", "--seconds", str(UNBOND_DELAY_S)))
    out = ok(run("oracle", "bond", "withdraw", "--account", "TEST::5"))
    assert f"oracle {NEWCOMER}: withdrew 1.5 ether" in out
    assert reports.bond_of(NEWCOMER)[0] == 0
    again = refused(run("oracle", "bond", "withdraw", "--account", "TEST::5"))
    assert "is not unbonding: request the bond back first" in again


def test_request_unbond__by_an_assigned_oracle_is_refused(run, reports):
    from ape import accounts

    ok(run(*REGISTER_PLANT))
    ok(run("project", "set-oracle", "1"))
    nonce = accounts.test_accounts[3].nonce
    out = refused(run("oracle", "bond", "request-unbond"))
    assert "refused: reports: oracle still assigned" in out
    assert accounts.test_accounts[3].nonce == nonce
    assert reports.is_bonded(ORACLE)
