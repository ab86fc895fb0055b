"""credits (balance, transfer, retire, history) and the retirement certificate, embedded chain.

Credits are minted by hand here through a stand-in minter (credit_minter.vy) that the module's
CarbonCredit binds instead of MonitoringReports, so every amount is known; the monitoring-report
path that mints in production is covered by test_reports.py.

The tests are the steps of one holder's story on one module-scoped chain and run in file order
(each step's expected balances follow from the steps before it): run the module, not one test.
"""

import csv
import json
from pathlib import Path

import pytest
from eth_utils import keccak

from tests.scripts.runner import ok, refused

ADMIN = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"
OWNER = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
BUYER = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"
# token id = project_id << 16 | fiscal_year: 1 * 65536 + 2025 and 2 * 65536 + 2025
P1_FY2025 = 67561
P2_FY2025 = 133097
BENEFICIARY = "Enshu Precision Parts K.K."


@pytest.fixture(scope="module")
def credit(run, deployments_dir):
    """A deployment whose CarbonCredit is bound to the stand-in minter, with 10 t of project 1
    and 3 t of project 2 (FY2025) minted to the owner."""
    from ape import accounts, compilers, project

    ok(run("deploy", "--force"))
    path = deployments_dir / "ethereum-local.json"
    deployed = json.loads(path.read_text())
    admin = accounts.test_accounts[0]
    source = (Path(__file__).parent / "credit_minter.vy").read_text()
    minter = admin.deploy(compilers.compile_source("vyper", source, contractName="CreditMinter"))
    credit = admin.deploy(project.CarbonCredit, "")
    credit.bind_registry(minter.address, sender=admin)
    credit.launch(sender=admin)
    minter.mint(credit.address, OWNER, P1_FY2025, 10, sender=admin)
    minter.mint(credit.address, OWNER, P2_FY2025, 3, sender=admin)
    path.write_text(json.dumps({**deployed, "credit": credit.address}))
    return credit


def registry_address() -> str:
    import os
    from pathlib import Path

    path = Path(os.environ["JCREDIT_DEPLOYMENTS_DIR"]) / "ethereum-local.json"
    return json.loads(path.read_text())["registry"]


def balances(credit, token=P1_FY2025):
    return credit.balanceOf(OWNER, token), credit.balanceOf(BUYER, token)


def test_balance__lists_each_token_and_the_total(run, credit):
    out = ok(run("credits", "balance", OWNER))
    assert "token 67561 (project 1, FY2025): 10 t-CO2" in out
    assert "token 133097 (project 2, FY2025): 3 t-CO2" in out
    assert f"{OWNER}: 13 t-CO2 in total" in out


def test_transfer__moves_credits_and_too_many_is_refused(run, credit):
    out = ok(
        run("credits", "transfer", "--to", BUYER, "--amount", "4", "--project", "1",
            "--fiscal-year", "2025")
    )  # fmt: skip
    assert f"transferred 4 t-CO2 of token {P1_FY2025} to {BUYER}" in out
    assert balances(credit) == (6, 4)

    out = refused(run("credits", "transfer", "--to", BUYER, "--amount", "7", "--token-id",
                      str(P1_FY2025)))  # fmt: skip
    assert (
        f"cannot transfer 7 t-CO2: {OWNER} holds 6 t-CO2 of token 67561 (project 1, FY2025)" in out
    )
    assert balances(credit) == (6, 4)


def test_transfer__token_must_be_named_once(run, credit):
    both = refused(run("credits", "transfer", "--to", BUYER, "--amount", "1", "--token-id", "1",
                       "--project", "1"))  # fmt: skip
    assert "either --token-id or --project with --fiscal-year" in both
    none = refused(run("credits", "transfer", "--to", BUYER, "--amount", "1"))
    assert "--token-id, or --project with --fiscal-year" in none
    assert balances(credit) == (6, 4)


def test_retire__burns_and_records_and_too_many_is_refused(run, credit):
    out = ok(
        run("credits", "retire", "--account", "TEST::4", "--amount", "3", "--token-id",
            str(P1_FY2025), "--beneficiary", BENEFICIARY, "--purpose", "re100", "--memo", "FY2025")
    )  # fmt: skip
    assert f"retirement 1: 3 t-CO2 of token {P1_FY2025} for {BENEFICIARY} (re100)" in out
    assert balances(credit) == (6, 1)
    record = credit.retirements(1)
    assert (record.holder, record.token_id, record.amount, record.purpose) == (
        BUYER,
        P1_FY2025,
        3,
        3,  # RE100 (docs/interfaces.md)
    )
    assert record.beneficiary_hash == keccak(text=BENEFICIARY)

    out = refused(
        run("credits", "retire", "--account", "TEST::4", "--amount", "2", "--token-id",
            str(P1_FY2025), "--beneficiary", "x", "--purpose", "cdp")
    )  # fmt: skip
    assert f"cannot retire 2 t-CO2: {BUYER} holds 1 t-CO2 of token 67561" in out
    assert credit.retirement_count() == 1
    assert balances(credit) == (6, 1)


def test_history__of_an_account_and_of_a_token(run, credit):
    buyer = ok(run("credits", "history", "--address", BUYER))
    lines = buyer.strip().splitlines()
    assert len(lines) == 2
    assert f"transferred 4 t-CO2 {OWNER} -> {BUYER}" in lines[0]
    assert f"retired 3 t-CO2 by {BUYER}: retirement 1 for {BENEFICIARY} (re100)" in lines[1]

    token = ok(run("credits", "history", "--token-id", str(P2_FY2025)))
    assert token.strip().splitlines() == [token.strip()]
    assert f"token {P2_FY2025}  issued 3 t-CO2 to {OWNER}" in token
    empty = ok(run("credits", "history", "--address", ADMIN))
    assert "no credit movements found" in empty
    unknown = refused(run("credits", "history", "--project", "9", "--fiscal-year", "2025"))
    assert unknown == "Error: unknown project 9: this registry has no projects yet"


def test_certificate__names_every_on_chain_reference(run, credit, tmp_path):
    from ape import chain

    ok(run("report", "certificate", "--retirement-id", "1", "--out", str(tmp_path)))
    page = (tmp_path / "retirement-1.html").read_text()
    (log,) = list(credit.Retired.range(0, chain.blocks.height + 1))
    for needle in (credit.address, str(P1_FY2025), str(log.transaction_hash), BENEFICIARY,
                   "0x" + keccak(text=BENEFICIARY).hex(), "0x" + keccak(text="FY2025").hex(),
                   "3 t-CO2", "RE100 reporting (RE100報告)", "chain id 1337", BUYER,
                   "JCR-P1-FY2025-000001..JCR-P1-FY2025-000003", registry_address(),
                   "NOT VALID FOR J-CREDIT: test network (chain id 1337)",
                   "J-Credit retirement certificate (無効化証明)"):  # fmt: skip
        assert needle in page, needle
    assert (tmp_path / "retirement-1.pdf").read_bytes().startswith(b"%PDF")

    out = refused(run("report", "certificate", "--retirement-id", "9", "--out", str(tmp_path)))
    assert "unknown retirement 9: this contract has 1..1" in out


def test_registry_export__lists_the_retirement(run, credit, tmp_path):
    ok(run("registry-export", "--out", str(tmp_path)))
    with (tmp_path / "retirements.csv").open() as handle:
        (row,) = list(csv.DictReader(handle))
    assert row["retirement_id"] == "1"
    assert (row["project_id"], row["fiscal_year"], row["amount_t"]) == ("1", "2025", "3")
    assert (row["beneficiary"], row["purpose"], row["memo"]) == (BENEFICIARY, "re100", "FY2025")
    assert row["holder"] == BUYER
    assert row["purpose_label"] == "RE100 reporting (RE100報告)"
    assert (row["serial_first"], row["serial_last"]) == ("1", "3")
    assert row["serial_range"] == "JCR-P1-FY2025-000001..JCR-P1-FY2025-000003"
    assert row["registry"] == registry_address()
    # The minted credits belong to no registered project: no metadata to name it.
    assert (row["project_name"], row["metadata_uri"]) == ("", "")
    assert row["validity"].startswith("NOT VALID FOR J-CREDIT: test network (chain id 1337)")
    # No monitoring report minted these credits, so there is no issuance record.
    with (tmp_path / "issuances.csv").open() as handle:
        assert list(csv.DictReader(handle)) == []


def test_wrong_text_or_address__refused_before_anything_is_sent(run, credit):
    from ape import accounts

    nonce = accounts.test_accounts[4].nonce
    # 45 Japanese characters are 135 bytes in UTF-8; String[128] on chain.
    long_name = "浜" * 45
    result = run("credits", "retire", "--account", "TEST::4", "--amount", "1", "--token-id",
                 str(P1_FY2025), "--beneficiary", long_name, "--purpose", "cdp")  # fmt: skip
    assert result.exit_code == 2
    assert "135 bytes in UTF-8; the contract stores at most 128" in result.output
    result = run("credits", "transfer", "--account", "TEST::4", "--to", "0x1234", "--amount", "1",
                 "--token-id", str(P1_FY2025))  # fmt: skip
    assert result.exit_code == 2
    assert "'0x1234' is not an address (0x followed by 40 hex digits)" in result.output
    # Lower-case input is the same account: history finds the buyer's movements.
    lower = ok(run("credits", "history", "--address", BUYER.lower()))
    assert f"retired 3 t-CO2 by {BUYER}" in lower
    assert "history of what?" in refused(run("credits", "history"))
    assert credit.retirement_count() == 1
    assert accounts.test_accounts[4].nonce == nonce


def test_transfer__bad_checksum__refused_and_nothing_sent(run, credit):
    from ape import accounts

    nonce = accounts.test_accounts[2].nonce
    before = balances(credit)
    typo = BUYER[:-1] + "6"  # last digit changed: the mixed case no longer matches EIP-55
    result = run("credits", "transfer", "--to", typo, "--amount", "1", "--project", "1",
                 "--fiscal-year", "2025")  # fmt: skip
    assert result.exit_code == 2, result.output
    assert f"Invalid value for '--to': {typo} fails its EIP-55 checksum" in result.output
    assert "all-lowercase input is accepted without a checksum" in result.output
    assert balances(credit) == before
    assert credit.balanceOf(typo, P1_FY2025) == 0
    assert accounts.test_accounts[2].nonce == nonce


def test_balance_and_history__bad_checksum__refused(run, credit):
    typo = OWNER[:-1] + "c"
    balance = run("credits", "balance", typo)
    assert balance.exit_code == 2 and "fails its EIP-55 checksum" in balance.output
    history = run("credits", "history", "--address", typo)
    assert history.exit_code == 2 and "fails its EIP-55 checksum" in history.output


def test_transfer__unknown_project__named_and_nothing_sent(run, credit):
    for command in (
        ("transfer", "--to", BUYER),
        ("retire", "--account", "TEST::4", "--beneficiary", BENEFICIARY, "--purpose", "cdp"),
    ):
        out = refused(run("credits", *command, "--amount", "1", "--project", "99",
                          "--fiscal-year", "2025"))  # fmt: skip
        assert out == "Error: unknown project 99: this registry has no projects yet", command
    assert credit.retirement_count() == 1


def test_retire__blank_beneficiary__refused_and_nothing_retired(run, credit):
    before = balances(credit)
    result = run("credits", "retire", "--account", "TEST::4", "--amount", "1", "--token-id",
                 str(P1_FY2025), "--beneficiary", "   ", "--purpose", "cdp")  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "Invalid value for '--beneficiary': is empty or only spaces" in result.output
    assert credit.retirement_count() == 1
    assert balances(credit) == before


def test_transfer__to_yourself__refused_and_nothing_sent(run, credit):
    from ape import accounts

    nonce = accounts.test_accounts[2].nonce
    out = refused(run("credits", "transfer", "--to", OWNER, "--amount", "1", "--token-id",
                      str(P1_FY2025)))  # fmt: skip
    assert out == (
        f"Error: cannot transfer to {OWNER}: it is the sending account itself, so nothing would "
        "change (nothing sent)"
    )
    assert accounts.test_accounts[2].nonce == nonce


def test_transfer__to_a_contract_without_erc1155_receiver__says_so(run, credit, deployments_dir):
    registry = json.loads((deployments_dir / "ethereum-local.json").read_text())["registry"]
    before = balances(credit)
    out = refused(run("credits", "transfer", "--to", registry, "--amount", "1", "--token-id",
                      str(P1_FY2025)))  # fmt: skip
    assert f"{registry} is a contract that does not accept ERC-1155 tokens" in out
    assert "(nothing sent)" in out
    assert balances(credit) == before


def test_transfer__all_lowercase_address__accepted_as_wallets_do(run, credit):
    owner, buyer = balances(credit)
    out = ok(run("credits", "transfer", "--to", BUYER.lower(), "--amount", "1", "--token-id",
                 str(P1_FY2025)))  # fmt: skip
    assert f"transferred 1 t-CO2 of token {P1_FY2025} to {BUYER}" in out
    assert balances(credit) == (owner - 1, buyer + 1)
