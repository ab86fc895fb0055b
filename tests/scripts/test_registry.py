"""deploy, project, meter, factors and devnet scripts on the embedded chain, wrong input
included: a refused command changes nothing (nonce and state unchanged)."""

import json

import pytest
from eth_account import Account
from eth_utils import keccak

from jcredit.eip712 import sign_registration
from tests.scripts.runner import REGISTER_PLANT, ok, refused

# Devnet test accounts (public "test test ... junk" mnemonic), by the role the scripts give them.
ADMIN = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
VALIDATOR = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
OWNER = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
ORACLE = "0x90F79bf6EB2c4f870365E785982E1f101E93b906"
# Test-only meter keys (never real): the meter signs its own registration.
METER_KEY = Account.from_key((0xA11CE).to_bytes(32, "big"))
METER = METER_KEY.address
OTHER_KEY = Account.from_key((0xB0B).to_bytes(32, "big"))
SHOWN_KEY = Account.from_key((0xC0C0).to_bytes(32, "big"))
PENDING, APPROVED, REJECTED, SUSPENDED = 1, 2, 4, 8  # ProjectStatus flags (docs/interfaces.md)
# 2025-04-01T00:00+09:00 and 2026-04-01T00:00+09:00 in seconds since the epoch.
FY2025 = (1743433200, 1774969200)


@pytest.fixture(scope="module")
def deployed(run, deployments_dir):
    ok(run("deploy", "--force"))
    return json.loads((deployments_dir / "ethereum-local.json").read_text())


@pytest.fixture(scope="module")
def registry(deployed):
    from ape import project

    return project.Registry.at(deployed["registry"])


def register(run, *extra):
    return run(
        *REGISTER_PLANT,
        "--metadata-uri",
        "ipfs://site",
        *extra,
    )


def new_project(run, registry) -> int:
    ok(register(run))
    return registry.project_count()


def test_deploy__writes_the_file_grants_every_role_bonds_the_devnet_oracle_and_launches(deployed):
    from ape import chain, project

    assert deployed["chain_id"] == chain.chain_id == 1337
    assert deployed["deployer"] == ADMIN
    registry = project.Registry.at(deployed["registry"])
    reports = project.MonitoringReports.at(deployed["reports"])
    credit = project.CarbonCredit.at(deployed["credit"])
    assert registry.owner() == ADMIN
    assert registry.reports() == reports.address == credit.registry()
    assert reports.fraud_proofs() == deployed["fraud_proofs"]
    assert registry.launched() and credit.launched()
    assert registry.has_role(keccak(text="VALIDATOR_ROLE"), VALIDATOR)
    assert registry.has_role(keccak(text="ORACLE_ROLE"), ORACLE)
    assert reports.challenge_window() == 3600  # the devnet default: the shortest allowed
    assert reports.min_bond() == 10**18
    assert reports.bond_of(ORACLE)[0] == 10**18 and reports.is_bonded(ORACLE)
    assert registry.emission_factors(2025).factor_g_per_mwh == 434_000
    assert registry.emission_factors(2013).factor_g_per_mwh == 434_000
    assert deployed["block"] <= chain.blocks.height


def test_deploy__options_are_checked_before_anything_is_sent(run, deployed, deployments_dir):
    from ape import accounts

    path = deployments_dir / "ethereum-local.json"
    nonce = accounts.test_accounts[0].nonce
    window = run("deploy", "--force", "--challenge-window", "60")
    assert window.exit_code == 2 and "60 is not in the range 3600<=x<=2592000" in window.output
    bond = refused(run("deploy", "--force", "--min-bond", "a lot"))
    assert "--min-bond: 'a lot' is not a positive amount" in bond
    admin = refused(run("deploy", "--force", "--oracle", ADMIN))
    assert f"oracle: {ADMIN} is the admin (the deployer), who may never hold that role" in admin
    assert accounts.test_accounts[0].nonce == nonce
    assert json.loads(path.read_text()) == deployed


def test_deploy__a_file_of_the_two_contract_platform_is_replaced(run, deployed, deployments_dir):
    path = deployments_dir / "ethereum-local.json"
    older = {k: deployed[k] for k in ("chain_id", "registry", "credit", "deployer", "block")}
    path.write_text(json.dumps(older))
    out = refused(run("project", "list"))
    assert "it records a deployment of the older two-contract platform" in out
    assert "deployed, set up and launched" in ok(run("deploy", "--min-bond", "0.5 ether"))
    assert "reports" in json.loads(path.read_text())
    path.write_text(json.dumps(deployed))


def test_deploy__rerun_reuses_and_force_deploys_again(run, deployed, deployments_dir):
    path = deployments_dir / "ethereum-local.json"
    assert "reused" in ok(run("deploy"))
    assert json.loads(path.read_text()) == deployed
    ok(run("deploy", "--force"))
    again = json.loads(path.read_text())
    assert again["registry"] != deployed["registry"]
    # Leave the module's deployment in place for the tests below.
    path.write_text(json.dumps(deployed))


def test_deploy__a_file_from_another_chain_is_replaced(run, deployed, deployments_dir):
    path = deployments_dir / "ethereum-local.json"
    path.write_text(json.dumps({**deployed, "chain_id": 1}))
    assert "deployed" in ok(run("deploy"))
    assert json.loads(path.read_text())["chain_id"] == 1337
    path.write_text(json.dumps(deployed))


def test_scripts__without_a_deployment_say_to_deploy(run, deployed, deployments_dir):
    path = deployments_dir / "ethereum-local.json"
    path.unlink()
    try:
        # The same words from every script, the oracle's included.
        outs = [
            refused(run(*command))
            for command in (
                ("project", "list"),
                ("credits", "balance", OWNER),
                ("oracle", "verify", "--site", "README.md"),
            )
        ]
    finally:
        path.write_text(json.dumps(deployed))
    assert (
        outs
        == [
            f"Error: no deployment for ethereum:local:test in {path} (no such file): "
            "run `ape run deploy --network ethereum:local:test` first"
        ]
        * 3
    )


def test_project__register_show_list(run, registry):
    before = registry.project_count()
    out = ok(register(run))
    project_id = before + 1
    assert f"project {project_id} registered by {OWNER}" in out
    stored = registry.projects(project_id)
    assert stored.owner == OWNER
    assert stored.capacity_w == 49500
    assert stored.commissioning_date == FY2025[0]
    assert stored.crediting_start == FY2025[0]
    # 8 calendar years would end on 2033-04-01; the scheme ends first: 2031-04-01T00:00+09:00.
    assert stored.crediting_end == 1932735600
    assert (
        "crediting period 2025-04-01T00:00:00+09:00 .. 2031-04-01T00:00:00+09:00 "
        "(end exclusive: the scheme ends)"
    ) in out
    assert stored.status == PENDING
    shown = ok(run("project", "show", str(project_id)))
    assert "PENDING" in shown and "49500" in shown and "ipfs://site" in shown
    # Readable, not raw numbers: monitoring has not started and no meter is approved yet.
    assert (
        "  next_period_start    - (monitoring not started: `ape run oracle push --start DATE`)"
    ) in shown.splitlines()
    assert (
        "  active_meter_kinds   none (no approved meter yet; reports read each approved meter's "
        "kind)"
    ) in shown.splitlines()
    assert f"{project_id:>4}  PENDING" in ok(run("project", "list"))


def test_project__register_with_battery__declared_on_chain(run, registry):
    out = ok(register(run, "--battery"))
    project_id = registry.project_count()
    assert f"project {project_id}: battery declared" in out
    assert registry.has_battery(project_id)


def test_project__ineligible_terms_are_refused_with_the_contract_reason(run, registry):
    before = registry.project_count()
    out = refused(register(run, "--monitoring-date", "2025-03-31"))
    assert "registry: monitoring before commissioning" in out
    assert registry.project_count() == before


def test_project__application_date_defaults_to_now(run, registry):
    from ape import chain

    before = chain.blocks.head.timestamp
    ok(run("project", "register", "--capacity-w", "49500", "--commissioning-date", "2025-04-01"))
    stored = registry.projects(registry.project_count())
    # Registering is applying: the crediting starts at the registration's block time.
    assert before <= stored.crediting_start <= chain.blocks.head.timestamp


def test_project__impossible_application_date_is_named(run, registry):
    before = registry.project_count()
    out = refused(register(run, "--application-date", "2025-02-30"))
    assert "--application-date: '2025-02-30' is not a date" in out
    assert registry.project_count() == before


def test_project__approve_needs_a_validator(run, registry):
    from ape import accounts

    project_id = new_project(run, registry)
    nonce = accounts.test_accounts[2].nonce
    out = refused(run("project", "approve", str(project_id), "--account", "TEST::2"))
    assert (
        f"approve project {project_id} by {OWNER} refused: roles: caller is not a validator" in out
    )
    assert registry.projects(project_id).status == PENDING
    # Refused by a dry run: not even a reverted transaction was sent.
    assert accounts.test_accounts[2].nonce == nonce
    assert "APPROVED" in ok(run("project", "approve", str(project_id)))
    assert registry.projects(project_id).status == APPROVED


def test_project__unknown_id_is_named(run, registry):
    count = registry.project_count()
    out = refused(run("project", "approve", str(count + 5)))
    assert f"unknown project {count + 5}: this registry has projects 1..{count}" in out
    assert "unknown project" in refused(run("project", "show", str(count + 5)))


def test_project__reject_and_suspend_store_the_status(run, registry):
    rejected = new_project(run, registry)
    ok(run("project", "reject", str(rejected), "--reason", "roof lease missing"))
    assert registry.projects(rejected).status == REJECTED
    assert "refused" in refused(run("project", "approve", str(rejected)))
    assert registry.projects(rejected).status == REJECTED

    suspended = new_project(run, registry)
    ok(run("project", "approve", str(suspended)))
    ok(run("project", "suspend", str(suspended), "--reason", "meter tampering"))
    assert registry.projects(suspended).status == SUSPENDED
    ok(run("project", "resume", str(suspended)))
    assert registry.projects(suspended).status == APPROVED


def test_project__set_oracle_needs_the_oracle_role_and_a_bond(run, registry, deployed):
    from ape import accounts, project

    project_id = new_project(run, registry)
    out = refused(run("project", "set-oracle", str(project_id), "--oracle", OWNER))
    assert f"{OWNER} does not hold ORACLE_ROLE" in out
    ok(run("project", "set-oracle", str(project_id)))
    assert registry.projects(project_id).oracle == ORACLE
    shown = ok(run("project", "show", str(project_id)))
    assert "monitoring not started" in shown and "pending_report       none" in shown
    # An oracle without a bond is refused, saying how to post one.
    reports = project.MonitoringReports.at(deployed["reports"])
    other = accounts.test_accounts[5]
    registry.grant_role(keccak(text="ORACLE_ROLE"), other.address, sender=accounts.test_accounts[0])
    ok(run("devnet", "advance-time", "--seconds", str(2 * 86400)))
    registry.activate_role(keccak(text="ORACLE_ROLE"), other.address, sender=other)
    nonce = accounts.test_accounts[0].nonce
    out = refused(run("project", "set-oracle", str(project_id), "--oracle", other.address))
    assert f"oracle {other.address} has no live bond" in out
    assert "`ape run oracle bond post`" in out
    assert accounts.test_accounts[0].nonce == nonce
    assert registry.projects(project_id).oracle == ORACLE
    assert not reports.is_bonded(other.address)


def meter_args(
    registry,
    project_id: int,
    key=METER_KEY,
    kind: str = "generation",
    serial: str = "PV-0001",
    owner: str = OWNER,
    signed_serial: str | None = None,
) -> list[str]:
    """`meter register` for a meter that signed (project, owner, serial) for the Registry."""
    signature = sign_registration(
        key, project_id, owner, signed_serial or serial, 1337, registry.address
    )
    return [
        "meter",
        "register",
        "--project",
        str(project_id),
        "--address",
        key.address,
        "--kind",
        kind,
        "--serial",
        serial,
        "--certification-expiry",
        "2032-03-31",
        "--meter-signature",
        "0x" + signature.hex(),
    ]


def test_meter__register_approve_list_revoke(run, registry):
    project_id = new_project(run, registry)
    ok(run("project", "approve", str(project_id)))
    out = ok(run(*meter_args(registry, project_id), "--interval-seconds", "900"))
    assert "(900 s interval, PENDING)" in out
    stored = registry.meters(METER)
    assert (stored.project_id, stored.kind, stored.status) == (project_id, 1, 1)
    # 2032-03-31T00:00+09:00
    assert (stored.certification_expiry, stored.interval_seconds) == (1964271600, 900)

    out = refused(run("meter", "approve", METER, "--certification-expiry", "2032-03-31",
                      "--account", "TEST::2"))  # fmt: skip
    assert "refused" in out and registry.meters(METER).status == 1
    out = refused(run("meter", "approve", METER, "--certification-expiry", "2032-03-30"))
    assert "does not match the 2032-03-31T00:00:00+09:00 registered" in out
    assert registry.meters(METER).status == 1

    ok(run("meter", "approve", METER, "--certification-expiry", "2032-03-31"))
    assert registry.meters(METER).status == 2
    listed = ok(run("meter", "list", "--project", str(project_id)))
    assert METER in listed and "generation" in listed and "APPROVED" in listed
    assert "900 s" in listed and "no reading accepted" in listed

    ok(run("meter", "revoke", METER))
    assert registry.meters(METER).status == 4


def test_project_show__approved_meter_kinds_named(run, registry):
    project_id = new_project(run, registry)
    ok(run("project", "approve", str(project_id)))
    args = meter_args(registry, project_id, SHOWN_KEY, serial="PV-7")
    meter = SHOWN_KEY.address.lower()  # lower case: no checksum needed
    args[args.index("--address") + 1] = meter
    ok(run(*args))
    ok(run("meter", "approve", meter, "--certification-expiry", "2032-03-31"))
    shown = ok(run("project", "show", str(project_id)))
    assert (
        "  active_meter_kinds   generation (kinds of the approved meters; every report reads each)"
    ) in shown.splitlines()


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("wrong owner", f"{VALIDATOR} is not the owner of project"),
        ("signed for another serial", "not by meter"),
        ("signed for another owner", "not by meter"),
        ("unknown project", "unknown project 999"),
    ],
)
def test_meter__register_refuses_what_the_meter_did_not_sign(run, registry, case, message):
    from ape import accounts

    project_id = new_project(run, registry)
    args, extra = meter_args(registry, project_id, OTHER_KEY, serial="PV-0002"), []
    if case == "wrong owner":
        extra = ["--account", "TEST::1"]
    elif case == "signed for another serial":
        args = meter_args(
            registry, project_id, OTHER_KEY, serial="PV-0002", signed_serial="PV-0003"
        )
    elif case == "signed for another owner":
        args = meter_args(registry, project_id, OTHER_KEY, serial="PV-0002", owner=VALIDATOR)
    elif case == "unknown project":
        args = meter_args(registry, 999, OTHER_KEY, serial="PV-0002")
    nonces = [account.nonce for account in accounts.test_accounts[:3]]
    out = refused(run(*args, *extra))
    assert message in out
    assert registry.meters(OTHER_KEY.address).project_id == 0
    assert [account.nonce for account in accounts.test_accounts[:3]] == nonces


def test_meter__bad_signature_interval_and_unknown_meter(run, registry):
    project_id = new_project(run, registry)
    args = meter_args(registry, project_id, OTHER_KEY, serial="PV-0004")
    bad = run(*args[:-2], "--meter-signature", "0x1234")
    assert bad.exit_code == 2 and "expected 0x followed by 130 hex digits" in bad.output
    slow = run(*args, "--interval-seconds", "7200")
    assert slow.exit_code == 2 and "7200 is not in the range 60<=x<=3600" in slow.output
    other = OTHER_KEY.address
    assert registry.meters(other).project_id == 0
    out = refused(run("meter", "approve", other, "--certification-expiry", "2032-03-31"))
    assert f"unknown meter {other}" in out


def test_factors__after_launch_are_scheduled_then_activated(run, registry, tmp_path):
    from ape import accounts

    table = tmp_path / "factors.csv"
    table.write_text(
        "fiscal_year,factor_g_per_mwh,source,verified\n"
        '2012,451000,"test table, not official",false\n'
        '2025,434000,"test table, not official",false\n'
        '2026,500000,"test table, not official",false\n'
    )
    nonce = accounts.test_accounts[1].nonce
    out = refused(run("factors", "set", "--csv", str(table), "--account", "TEST::1"))
    assert "refused" in out and "ownable: caller is not the owner" in out
    assert accounts.test_accounts[1].nonce == nonce
    assert registry.emission_factors(2012).factor_g_per_mwh == 0

    out = ok(run("factors", "set", "--csv", str(table)))
    assert "FY2025: 434000 g-CO2/MWh unchanged" in out
    assert "FY2026: 500000 g-CO2/MWh scheduled: activate from " in out
    assert (
        "  NOT VALID FOR J-CREDIT: placeholder emission factor (FY2026 500000 g-CO2/MWh is an "
        "unverified example value)"
    ) in out.splitlines()
    assert "`ape run factors activate --fiscal-year 2026`" in out
    stored = registry.emission_factors(2026)
    assert (stored.factor_g_per_mwh, stored.scheduled_factor_g_per_mwh) == (434000, 500000)
    assert registry.emission_factors(2012).scheduled_factor_g_per_mwh == 451000
    assert "FY2026: 500000 g-CO2/MWh already scheduled" in ok(
        run("factors", "set", "--csv", str(table), "--fiscal-year", "2026")
    )
    shown = ok(run("factors", "show", "2026", "2019", "2011"))
    # (locked) is explained, and a scheduled change is shown with it.
    assert "FY2026: 434000 g-CO2/MWh for [2026-04-01T00:00:00+09:00, 2027-04-01T00:00:00+09:00) " \
        "(not locked: the admin may still change it until a report uses it; 500000 g-CO2/MWh " \
        "scheduled from" in shown  # fmt: skip
    assert (
        "  NOT VALID FOR J-CREDIT: placeholder emission factor (FY2026 434000 g-CO2/MWh is an "
        "unverified example value)"
    ) in shown.splitlines()
    assert "FY2019: 434000 g-CO2/MWh" in shown and "FY2011: not set" in shown

    early = refused(run("factors", "activate", "--fiscal-year", "2026"))
    assert "FY2026: the scheduled 500000 g-CO2/MWh can be activated from" in early
    assert registry.emission_factors(2026).factor_g_per_mwh == 434000
    assert "devnet time is now" in ok(run("devnet", "advance-time", "--seconds", "172800"))
    out = ok(run("factors", "activate", "--fiscal-year", "2026", "--fiscal-year", "2012"))
    assert "FY2026: 500000 g-CO2/MWh in effect" in out and "FY2012: 451000" in out
    # The value in effect is not the shipped table's (a placeholder itself).
    assert (
        "  NOT VALID FOR J-CREDIT: FY2026 emission factor 500000 g-CO2/MWh is not the table's "
        "434000 g-CO2/MWh (itself an unverified placeholder)"
    ) in out.splitlines()
    assert registry.emission_factors(2026).factor_g_per_mwh == 500000
    assert "FY2026: no factor change is scheduled" in refused(
        run("factors", "activate", "--fiscal-year", "2026")
    )
    missing = refused(run("factors", "set", "--csv", str(table), "--fiscal-year", "2031"))
    assert "no row for fiscal year(s) [2031]" in missing


def test_devnet__advance_time_moves_the_clock_forward_only(run):
    from ape import chain

    before = chain.blocks.head.timestamp
    assert "(60 s later)" in ok(run("devnet", "advance-time", "--seconds", "60"))
    assert chain.blocks.head.timestamp == before + 60
    backwards = run("devnet", "advance-time", "--seconds", "0")
    assert backwards.exit_code == 2 and "0 is not in the range x>=1" in backwards.output


# The validator's address with its last digit changed: mixed case that fails EIP-55.
TYPO = VALIDATOR[:-1] + "9"
SIGNATURE = "0x" + "11" * 65


@pytest.mark.parametrize(
    "command",
    [
        ("deploy", "--force", "--validator", TYPO),
        ("deploy", "--force", "--oracle", TYPO),
        ("project", "set-oracle", "1", "--oracle", TYPO),
        ("meter", "register", "--project", "1", "--address", TYPO, "--kind", "generation",
         "--serial", "PV-9", "--certification-expiry", "2032-03-31", "--meter-signature",
         SIGNATURE),
        ("meter", "approve", TYPO, "--certification-expiry", "2032-03-31"),
        ("meter", "revoke", TYPO),
        ("oracle", "bond", "show", "--address", TYPO),
    ],
    ids=["deploy --validator", "deploy --oracle", "project set-oracle", "meter register",
         "meter approve", "meter revoke", "oracle bond show"],
)  # fmt: skip
def test_every_address_option__bad_checksum__refused_before_anything_is_sent(
    run, deployed, deployments_dir, command
):
    from ape import accounts

    nonces = [account.nonce for account in accounts.test_accounts[:4]]
    file = (deployments_dir / "ethereum-local.json").read_text()
    result = run(*command)
    assert result.exit_code == 2, result.output
    assert f"{TYPO} fails its EIP-55 checksum" in result.output
    assert [account.nonce for account in accounts.test_accounts[:4]] == nonces
    assert (deployments_dir / "ethereum-local.json").read_text() == file
