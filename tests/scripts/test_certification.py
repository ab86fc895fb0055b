"""The registrar's certification round through the scripts, embedded chain: `credits certify`,
certified vs uncertified credits in `credits balance` and `history`, `credits retire
--certification`, the certificate and `registry-export`.

The credits come from real monitoring reports (April, report 1: 0 t; May, report 2: 1 t) built
with the SDK test world on the deployment `ape run deploy` made; on a devnet the validator test
account (TEST::1) is also the registrar. The tests are one story and run in file order.
"""

import csv
import json

import pytest

from tests.scripts.runner import ok, refused

OWNER = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
TOKEN = 67561
NUMBER = "JC-SCRIPT-0001"


@pytest.fixture(scope="module")
def reported(run, provider):
    """Deployed by the script; reports 1 and 2 of project 1 finalized: 1 t to the owner."""
    from ape import accounts, chain

    from jcredit.connect import connect
    from jcredit.tx import Sender
    from tests.sdk.chain_world import SdkWorld

    ok(run("deploy", "--force"))
    senders = [Sender(a, provider, log=lambda line: None) for a in accounts.test_accounts[:6]]
    admin, validator, owner, oracle, buyer, challenger = senders
    world = SdkWorld(
        provider,
        connect(provider),
        admin,
        validator,
        owner,
        oracle,
        buyer,
        challenger,
        chain.chain_id,
        registrar=validator,
    )
    project = world.monitored()
    for submit in (world.april, world.may):
        submitted = submit(project)
        world.after_window()
        world.jc.reports.finalize(world.buyer, submitted.facts)
    assert world.jc.credit.balance(OWNER, TOKEN) == 1
    return world


def test_certify__registrar_records_the_round(run, reported):
    out = refused(
        run("credits", "certify", "--number", NUMBER, "--project", "1", "--fiscal-year", "2025",
            "--reports", "1,2", "--amount", "2", "--first-serial", "1")
    )  # fmt: skip
    assert "cannot certify 2 t-CO2: reports [1, 2] minted 1 t-CO2" in out
    out = ok(
        run("credits", "certify", "--number", NUMBER, "--project", "1", "--fiscal-year", "2025",
            "--reports", "1,2", "--amount", "1", "--first-serial", "7")
    )  # fmt: skip
    assert f"certification round 1: {NUMBER}, 1 t-CO2 of token {TOKEN}, reports 1, 2" in out
    assert "serials 7..7" in out
    out = ok(run("credits", "rounds"))
    assert f"round 1: certification {NUMBER}, token {TOKEN} (project 1, FY2025)" in out
    assert "1 t-CO2 certified, 0 retired, 1 left" in out


def test_balance__shows_certified_and_uncertified(run, reported):
    out = ok(run("credits", "balance", OWNER))
    assert (
        f"token {TOKEN} (project 1, FY2025): 1 t-CO2; of the token's 1 t-CO2 in circulation "
        "1 certified, 0 not yet certified"
    ) in out
    assert f"certification {NUMBER} (round 1): 1 of 1 t-CO2 left to retire" in out


def test_retire__plain_refused_then_from_the_round(run, reported):
    out = refused(
        run("credits", "retire", "--amount", "1", "--token-id", str(TOKEN), "--beneficiary",
            "Enshu K.K.", "--purpose", "carbon_offset")
    )  # fmt: skip
    assert "only 0 t-CO2 of its supply are uncertified" in out
    out = ok(
        run("credits", "retire", "--amount", "1", "--certification", "1", "--beneficiary",
            "Enshu K.K.", "--purpose", "carbon_offset")
    )  # fmt: skip
    assert f"retirement 1: 1 t-CO2 of token {TOKEN} from certification {NUMBER} (round 1)" in out


def test_history__names_the_round(run, reported):
    out = ok(run("credits", "history", "--token-id", str(TOKEN)))
    assert f"from certification {NUMBER} (round 1)" in out
    assert f"certified 1 t-CO2: certification {NUMBER} (round 1), reports 1, 2" in out


def test_certificate_and_export__carry_the_round(run, reported, tmp_path):
    ok(run("report", "certificate", "--retirement-id", "1", "--out", str(tmp_path)))
    page = (tmp_path / "retirement-1.html").read_text(encoding="utf-8")
    assert f"certification number {NUMBER} (round 1; scheme JC, type ER)" in page
    assert f"JC/ER/{NUMBER}-000007" in page
    out = ok(run("registry-export", "--out", str(tmp_path / "x"), "--credit-type", "ERL"))
    assert "certification-1/round.json" in out
    package = json.loads((tmp_path / "x" / "certification-1" / "round.json").read_text())
    assert [r["report_id"] for r in package["reports"]] == [1, 2]
    assert package["certification"]["serial_range"] == (
        f"JC/ERL/{NUMBER}-000007..JC/ERL/{NUMBER}-000007"
    )
    with (tmp_path / "x" / "retirements.csv").open(encoding="utf-8") as handle:
        (row,) = csv.DictReader(handle)
    assert row["certification_number"] == NUMBER
