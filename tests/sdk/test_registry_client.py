"""jcredit.deploy and RegistryClient on the embedded chain: the deployment's set-up, meters with
their own signatures, delayed grants and factors after launch. Refused input changes nothing."""

import pytest

from jcredit.deploy import DeployConfig, deploy_contracts
from jcredit.devnet import advance_time
from jcredit.eip712 import registration_digest
from jcredit.errors import ChainError, InputError, JCreditError
from jcredit.types import (
    ADMIN_DELAY,
    MAX_CHALLENGE_WINDOW,
    MAX_INTERVAL_SECONDS,
    MIN_CHALLENGE_WINDOW,
    MIN_INTERVAL_SECONDS,
    ORACLE_ROLE,
    VALIDATOR_ROLE,
    MeterKind,
    MeterStatus,
)
from methodology.factors import load_factors
from methodology.fiscal import fiscal_year_bounds
from tests.sdk.chain_world import APR, DAY, EXPIRY, GEN, INTERVAL, MIN_BOND, WINDOW, meter_key


def test_deploy__wires_grants_sets_every_factor_and_launches(world):
    jc, deployment = world.jc, world.jc.deployment
    assert jc.registry.contract.reports() == deployment.reports
    assert jc.credit.contract.registry() == deployment.reports
    assert jc.reports.contract.registry() == deployment.registry
    assert jc.reports.contract.fraud_proofs() == deployment.fraud_proofs
    assert jc.fraud_proofs.contract.registry() == deployment.registry
    assert jc.registry.has_role(VALIDATOR_ROLE, world.validator.address)
    assert jc.registry.has_role(ORACLE_ROLE, world.oracle.address)
    assert jc.registry.launched() and jc.credit.contract.launched()
    assert jc.reports.challenge_window() == WINDOW
    assert jc.reports.min_bond() == MIN_BOND
    assert jc.reports.bond_of(world.oracle.address).amount == MIN_BOND
    for year, row in load_factors().rows.items():
        record = jc.registry.emission_factor(year)
        assert (record.factor_g_per_mwh, record.starts_at, record.ends_at) == (
            row.factor_g_per_mwh,
            *fiscal_year_bounds(year),
        )


def test_types__mirror_the_contracts_bounds(world):
    reports, registry = world.jc.reports.contract, world.jc.registry.contract
    assert (reports.MIN_CHALLENGE_WINDOW(), reports.MAX_CHALLENGE_WINDOW()) == (
        MIN_CHALLENGE_WINDOW,
        MAX_CHALLENGE_WINDOW,
    )
    assert (registry.MIN_INTERVAL_SECONDS(), registry.MAX_INTERVAL_SECONDS()) == (
        MIN_INTERVAL_SECONDS,
        MAX_INTERVAL_SECONDS,
    )
    assert registry.ADMIN_DELAY() == ADMIN_DELAY


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"validator": "admin"}, "validator: 0x.* is the admin"),
        ({"oracle": "admin"}, "oracle: 0x.* is the admin"),
        ({"challenge_window": 60}, "challenge window: 60 s; it must be 3600 s"),
        ({"min_bond": 0}, "minimum bond: 0 wei"),
        ({"validator": "0x1234"}, "validator: '0x1234' is not an address"),
    ],
)
def test_deploy__bad_config_is_refused_before_anything_is_deployed(world, change, message):
    from ape import chain

    admin = world.admin
    values = {"validator": world.validator.address, "oracle": world.oracle.address}
    values |= {k: (admin.address if v == "admin" else v) for k, v in change.items()}
    config = DeployConfig(
        values["validator"],
        values["oracle"],
        values.get("min_bond", MIN_BOND),
        values.get("challenge_window", WINDOW),
    )
    nonce, height = admin.account.nonce, chain.blocks.height
    with pytest.raises(InputError, match=message):
        deploy_contracts(world.provider, admin.account, config)
    assert (admin.account.nonce, chain.blocks.height) == (nonce, height)


def test_registration_digest__equals_the_contracts(world):
    registry = world.jc.registry
    expected = registry.contract.registration_digest(7, world.owner.address, "PV-0007")
    assert registration_digest(registry.domain_separator(), 7, world.owner.address, "PV-0007") == (
        bytes(expected)
    )


def test_register_meter__with_the_meters_signature_and_interval(world):
    project = world.project(kinds=())
    meter = meter_key(900)
    signature = world.registration(project.project_id, meter, world.owner.address, "PV-900")
    world.jc.registry.register_meter(
        world.owner, project.project_id, meter.address, GEN, "PV-900", EXPIRY, 900, signature
    )
    record = world.jc.registry.meter(meter.address)
    assert (record.project_id, record.kind, record.status) == (
        project.project_id,
        GEN,
        MeterStatus.PENDING,
    )
    assert (record.serial, record.certification_expiry, record.interval_seconds) == (
        "PV-900",
        EXPIRY,
        900,
    )
    assert record.registration == 1


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("signed for another serial", "signed by 0x.*, not by meter 0x.*serial 'PV-900'"),
        ("signed by another key", "signed by 0x.*, not by meter"),
        ("signed for another owner", "not by meter"),
        ("short signature", "64 bytes, expected 65"),
        ("interval too short", "interval: 59 s; a meter's interval is 60..3600 s"),
        ("serial too long", "serial: 65 bytes in UTF-8"),
    ],
)
def test_register_meter__refuses_what_the_contract_would_and_sends_nothing(world, case, message):
    project = world.project(kinds=())
    meter, serial, interval = meter_key(901), "PV-900", INTERVAL
    signer, signed_serial, signed_owner = meter, serial, world.owner.address
    if case == "signed for another serial":
        signed_serial = "PV-901"
    elif case == "signed by another key":
        signer = meter_key(902)
    elif case == "signed for another owner":
        signed_owner = world.buyer.address
    elif case == "interval too short":
        interval = 59
    elif case == "serial too long":
        serial = signed_serial = "S" * 65
    signature = world.registration(project.project_id, signer, signed_owner, signed_serial)
    if case == "short signature":
        signature = signature[:64]
    nonce = world.owner.account.nonce
    with pytest.raises(InputError, match=message):
        world.jc.registry.register_meter(
            world.owner, project.project_id, meter.address, GEN, serial, EXPIRY, interval, signature
        )
    assert world.owner.account.nonce == nonce
    assert world.jc.registry.contract.meters(meter.address).project_id == 0


def test_approve_meter__confirms_the_registered_expiry(world):
    project = world.project(kinds=())
    meter = meter_key(903)
    signature = world.registration(project.project_id, meter, world.owner.address, "PV-903")
    world.jc.registry.register_meter(
        world.owner, project.project_id, meter.address, GEN, "PV-903", EXPIRY, INTERVAL, signature
    )
    nonce = world.validator.account.nonce
    with pytest.raises(InputError, match="does not match the 2032-03-31T00:00:00\\+09:00"):
        world.jc.registry.approve_meter(world.validator, meter.address, EXPIRY - DAY)
    assert world.validator.account.nonce == nonce
    assert world.jc.registry.meter(meter.address).status == MeterStatus.PENDING
    world.jc.registry.approve_meter(world.validator, meter.address, EXPIRY)
    assert world.jc.registry.meter(meter.address).status == MeterStatus.APPROVED
    assert world.jc.registry.project_meters(project.project_id) == {GEN: meter.address}


def test_set_project_oracle__needs_a_bonded_oracle(world):
    registry, stranger = world.jc.registry, world.challenger
    project = world.project(kinds=(), oracle=False)
    registry.contract.grant_role(ORACLE_ROLE, stranger.address, sender=world.admin.account)
    # Granted after launch: the grant waits out the admin delay.
    with pytest.raises(JCreditError, match="does not hold ORACLE_ROLE"):
        registry.set_project_oracle(world.admin, project.project_id, stranger.address)
    advance_time(world.provider, ADMIN_DELAY)
    registry.activate_role(world.admin, ORACLE_ROLE, stranger.address)
    nonce = world.admin.account.nonce
    with pytest.raises(JCreditError, match="has no live bond on MonitoringReports"):
        registry.set_project_oracle(world.admin, project.project_id, stranger.address)
    assert world.admin.account.nonce == nonce
    world.jc.reports.post_bond(stranger, MIN_BOND)
    registry.set_project_oracle(world.admin, project.project_id, stranger.address)
    assert registry.project(project.project_id).oracle == stranger.address


def test_grant_role__after_launch_is_scheduled_then_activated(world):
    registry, newcomer = world.jc.registry, world.buyer.address
    eta = registry.grant_role(world.admin, VALIDATOR_ROLE, newcomer)
    assert eta >= world.provider.get_block("latest").timestamp + ADMIN_DELAY - 1
    assert not registry.has_role(VALIDATOR_ROLE, newcomer)
    with pytest.raises(ChainError, match="roles: grant not due"):
        registry.activate_role(world.admin, VALIDATOR_ROLE, newcomer)
    advance_time(world.provider, ADMIN_DELAY)
    registry.activate_role(world.admin, VALIDATOR_ROLE, newcomer)
    assert registry.has_role(VALIDATOR_ROLE, newcomer)
    with pytest.raises(JCreditError, match="no grant of VALIDATOR_ROLE"):
        registry.activate_role(world.admin, VALIDATOR_ROLE, newcomer)
    with pytest.raises(ChainError, match="roles: admin cannot hold this role"):
        registry.grant_role(world.admin, ORACLE_ROLE, world.admin.address)


def test_set_emission_factor__after_launch_is_scheduled_then_activated(world):
    registry = world.jc.registry
    change = registry.set_emission_factor(world.admin, 2026, 500_000)
    assert change.outcome == "scheduled"
    record = registry.emission_factor(2026)
    assert (record.factor_g_per_mwh, record.scheduled_factor_g_per_mwh) == (434_000, 500_000)
    assert record.scheduled_eta == change.eta
    assert registry.set_emission_factor(world.admin, 2026, 500_000).outcome == "already scheduled"
    assert registry.set_emission_factor(world.admin, 2027, 434_000).outcome == "unchanged"
    with pytest.raises(ChainError, match="registry: factor not due"):
        registry.activate_emission_factor(world.admin, 2026)
    advance_time(world.provider, ADMIN_DELAY)
    assert registry.activate_emission_factor(world.admin, 2026).factor_g_per_mwh == 500_000
    with pytest.raises(JCreditError, match="FY2026: no factor change is scheduled"):
        registry.activate_emission_factor(world.admin, 2026)


def test_set_emission_factor__of_a_year_a_report_used_is_refused(world):
    project = world.monitored()
    world.april(project)
    assert world.jc.registry.emission_factor(2025).locked
    nonce = world.admin.account.nonce
    with pytest.raises(JCreditError, match="FY2025: on chain 434000 g/MWh is locked"):
        world.jc.registry.set_emission_factor(world.admin, 2025, 450_000)
    assert world.admin.account.nonce == nonce


def test_meter_kind_slot__indexes_the_facts_meters():
    assert [kind.slot for kind in MeterKind] == [0, 1, 2, 3, 4, 5]


def test_project_start__is_apr_2025():
    # The world's numbers rely on FY2025 starting at APR (2025-04-01T00:00+09:00).
    assert fiscal_year_bounds(2025)[0] == APR
