"""deploy, project, meter and factors scripts on the embedded chain, wrong input included."""

import json

import pytest
from eth_utils import keccak, to_checksum_address

from tests.scripts.runner import ok, refused

# Devnet test accounts (public "test test ... junk" mnemonic), by the role the scripts give them.
ADMIN = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
VALIDATOR = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
OWNER = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
ORACLE = "0x90F79bf6EB2c4f870365E785982E1f101E93b906"
METER = to_checksum_address("0x00000000000000000000000000000000000a11ce")
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
        "project",
        "register",
        "--capacity-w",
        "49500",
        "--commissioning-date",
        "2025-04-01",
        "--metadata-uri",
        "ipfs://site",
        *extra,
    )


def new_project(run, registry) -> int:
    ok(register(run))
    return registry.project_count()


def test_deploy__writes_the_file_and_grants_every_role(deployed):
    from ape import chain, project

    assert deployed["chain_id"] == chain.chain_id == 1337
    assert deployed["deployer"] == ADMIN
    registry = project.Registry.at(deployed["registry"])
    credit = project.CarbonCredit.at(deployed["credit"])
    assert registry.owner() == ADMIN
    assert credit.has_role(keccak(text="MINTER_ROLE"), registry.address)
    assert registry.has_role(keccak(text="VALIDATOR_ROLE"), VALIDATOR)
    assert registry.has_role(keccak(text="ORACLE_ROLE"), ORACLE)
    assert registry.challenge_window() == 0
    assert deployed["block"] <= chain.blocks.height


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
    # 8 calendar years: 2033-04-01T00:00+09:00 = FY2025 start + (8*365 + 2 leap days) days
    assert stored.crediting_end == FY2025[0] + 2922 * 86400
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


def test_project__ineligible_terms_are_refused_with_the_contract_reason(run, registry):
    before = registry.project_count()
    out = refused(register(run, "--crediting-start", "2025-05-01", "--crediting-end", "2025-04-30"))
    assert "registry: crediting end <= start" in out
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


def test_project__set_oracle_needs_the_oracle_role(run, registry):
    project_id = new_project(run, registry)
    out = refused(run("project", "set-oracle", str(project_id), "--oracle", OWNER))
    assert f"{OWNER} does not hold ORACLE_ROLE" in out
    ok(run("project", "set-oracle", str(project_id)))
    assert registry.projects(project_id).oracle == ORACLE


def meter_args(project_id: int, meter: str = METER, kind: str = "generation") -> list[str]:
    return [
        "meter",
        "register",
        "--project",
        str(project_id),
        "--address",
        meter,
        "--kind",
        kind,
        "--serial",
        "PV-0001",
        "--certification-expiry",
        "2032-03-31",
    ]


def test_meter__register_approve_list_revoke(run, registry):
    project_id = new_project(run, registry)
    ok(run("project", "approve", str(project_id)))
    ok(run(*meter_args(project_id)))
    stored = registry.meters(METER)
    assert (stored.project_id, stored.kind, stored.status) == (project_id, 1, 1)
    # 2032-03-31T00:00+09:00
    assert stored.certification_expiry == 1964271600

    out = refused(run("meter", "approve", METER, "--account", "TEST::2"))
    assert "refused" in out and registry.meters(METER).status == 1

    ok(run("meter", "approve", METER))
    assert registry.meters(METER).status == 2
    listed = ok(run("meter", "list", "--project", str(project_id)))
    assert METER in listed and "generation" in listed and "APPROVED" in listed

    ok(run("meter", "revoke", METER))
    assert registry.meters(METER).status == 4


def test_project_show__approved_meter_kinds_named(run, registry):
    project_id = new_project(run, registry)
    ok(run("project", "approve", str(project_id)))
    meter = "0x00000000000000000000000000000000000c0c00"  # lower case: no checksum needed
    ok(run("meter", "register", "--project", str(project_id), "--address", meter, "--kind",
           "generation", "--serial", "PV-7", "--certification-expiry", "2032-03-31"))  # fmt: skip
    ok(run("meter", "approve", meter))
    shown = ok(run("project", "show", str(project_id)))
    assert (
        "  active_meter_kinds   generation (kinds of the approved meters; every report reads each)"
    ) in shown.splitlines()


def test_meter__wrong_owner_and_unknown_meter_are_refused(run, registry):
    project_id = new_project(run, registry)
    other = to_checksum_address("0x00000000000000000000000000000000000b0b00")
    out = refused(run(*meter_args(project_id, other), "--account", "TEST::1"))
    assert "refused" in out
    assert registry.meters(other).project_id == 0
    assert f"unknown meter {other}" in refused(run("meter", "approve", other))
    assert "unknown project 999" in refused(run(*meter_args(999, other)))


def test_factors__set_show_and_rerun(run, registry, tmp_path):
    table = tmp_path / "factors.csv"
    table.write_text(
        "fiscal_year,factor_g_per_mwh,source,verified\n"
        '2024,451000,"test table, not official",false\n'
        '2025,500000,"test table, not official",false\n'
    )
    out = refused(run("factors", "set", "--csv", str(table), "--account", "TEST::1"))
    assert "refused" in out
    assert registry.emission_factors(2024).factor_g_per_mwh == 0

    set_out = ok(run("factors", "set", "--csv", str(table)))
    assert "FY2025: 500000 g-CO2/MWh set" in set_out
    assert (
        "  NOT VALID FOR J-CREDIT: placeholder emission factor (FY2025 500000 g-CO2/MWh is an "
        "unverified example value)"
    ) in set_out.splitlines()
    stored = registry.emission_factors(2025)
    assert (stored.factor_g_per_mwh, stored.starts_at, stored.ends_at) == (500000, *FY2025)
    assert registry.emission_factors(2024).factor_g_per_mwh == 451000
    assert "FY2025: 500000 g-CO2/MWh unchanged" in ok(run("factors", "set", "--csv", str(table)))

    shown = ok(run("factors", "show", "2025", "2019"))
    assert (
        "FY2025: 500000 g-CO2/MWh for [2025-04-01T00:00:00+09:00, 2026-04-01T00:00:00+09:00)"
        in shown
    )
    assert "FY2019: not set" in shown
    # (locked) is explained, and the value is not the shipped table's (a placeholder itself).
    assert "(not locked: the admin may still change it until a report uses it)" in shown
    assert (
        "  NOT VALID FOR J-CREDIT: FY2025 emission factor 500000 g-CO2/MWh is not the table's "
        "434000 g-CO2/MWh (itself an unverified placeholder)"
    ) in shown.splitlines()

    missing = refused(run("factors", "set", "--csv", str(table), "--fiscal-year", "2031"))
    assert "no row for fiscal year(s) [2031]" in missing


# The validator's address with its last digit changed: mixed case that fails EIP-55.
TYPO = VALIDATOR[:-1] + "9"


@pytest.mark.parametrize(
    "command",
    [
        ("deploy", "--force", "--validator", TYPO),
        ("deploy", "--force", "--oracle", TYPO),
        ("project", "set-oracle", "1", "--oracle", TYPO),
        ("meter", "register", "--project", "1", "--address", TYPO, "--kind", "generation",
         "--serial", "PV-9", "--certification-expiry", "2032-03-31"),
        ("meter", "approve", TYPO),
        ("meter", "revoke", TYPO),
    ],
    ids=lambda command: " ".join(command[:2]) + " " + command[-4 if "--kind" in command else -2],
)  # fmt: skip
def test_every_address_option__bad_checksum__refused_before_anything_is_sent(
    run, deployed, deployments_dir, command
):
    from ape import accounts

    nonces = [account.nonce for account in accounts.test_accounts[:3]]
    file = (deployments_dir / "ethereum-local.json").read_text()
    result = run(*command)
    assert result.exit_code == 2, result.output
    assert f"{TYPO} fails its EIP-55 checksum" in result.output
    assert [account.nonce for account in accounts.test_accounts[:3]] == nonces
    assert (deployments_dir / "ethereum-local.json").read_text() == file
