"""CertificationClient on the embedded chain: the registrar records a round of finalized reports,
balances split into certified and not yet certified credits, retirement from a round, and the
round in the certificate and the registry export.

Project 1 reports April (report 1, 0 t, 434,000 g carried) and May (report 2, 1 t minted with
April's carry); both finalized: 1 t of token 67561 held by the owner."""

import csv
import json

import pytest

from jcredit.documents.certificate import certificate, write_certificate_html
from jcredit.documents.registry_export import certification_packages, registry_export
from jcredit.errors import JCreditError
from jcredit.history import certifications, retirements
from jcredit.types import RetirementPurpose
from jcredit.types import token_id as token_id_of

TOKEN = token_id_of(1, 2025)
NUMBER = "JC-TEST-0001"


@pytest.fixture
def credited(world):
    project = world.monitored()
    april = world.april(project)
    world.after_window()
    world.jc.reports.finalize(world.buyer, april.facts)
    may = world.may(project)
    world.after_window()
    world.jc.reports.finalize(world.buyer, may.facts)
    assert world.jc.credit.balance(world.owner.address, TOKEN) == 1
    return world


def record(world, sender=None, number=NUMBER, token=TOKEN, reports=(1, 2), amount=1, first=1):
    return world.jc.certifications.record(
        sender or world.registrar, number, token, list(reports), amount, first
    )


def test_record__finalized_reports__round_readable_and_supply_split(credited):
    certs = credited.jc.certifications
    before = certs.token_status(TOKEN)
    assert (before.certified, before.uncertified_supply, before.certified_supply) == (0, 1, 0)
    certification_id, tx = record(credited, first=501)
    assert certification_id == 1
    c = certs.certification(1)
    assert (c.token_id, c.amount, c.retired, c.remaining) == (TOKEN, 1, 0, 1)
    assert (c.first_serial, c.last_serial, c.certification_number) == (501, 501, NUMBER)
    assert (c.project_id, c.fiscal_year) == (1, 2025)
    after = certs.token_status(TOKEN)
    assert (after.minted, after.supply, after.certified) == (1, 1, 1)
    assert (after.certified_supply, after.uncertified_supply) == (1, 0)
    assert certs.certification_of_report(1) == certs.certification_of_report(2) == 1
    assert certs.by_number(NUMBER) == 1
    (logged,) = certifications(credited.jc.credit.contract, credited.jc.deployment.block)
    assert logged.report_ids == (1, 2)
    assert logged.registrar == credited.registrar.address
    assert logged.tx_hash == tx


def test_record__not_the_registrar__refused_before_sending(credited):
    with pytest.raises(JCreditError, match="does not hold REGISTRAR_ROLE"):
        record(credited, sender=credited.owner)


def test_record__report_never_submitted__refused(credited):
    with pytest.raises(JCreditError, match="report 3 is not a finalized report of project 1"):
        record(credited, reports=(2, 3))


def test_record__report_of_another_project__refused(credited):
    other = credited.monitored()
    april = credited.april(other)
    credited.after_window()
    credited.jc.reports.finalize(credited.buyer, april.facts)
    assert april.facts.report_id == 3
    with pytest.raises(JCreditError, match="report 3 is not a finalized report of project 1"):
        record(credited, reports=(2, 3))


def test_record__pending_report__refused(credited):
    other = credited.monitored()
    credited.april(other)  # report 3, in its challenge window
    with pytest.raises(JCreditError, match="report 3 is not a finalized report of project 2"):
        record(credited, token=token_id_of(2, 2025), reports=(3,))


def test_record__more_tonnes_than_the_reports_minted__refused(credited):
    with pytest.raises(JCreditError, match=r"cannot certify 2 t-CO2: reports \[1, 2\] minted 1"):
        record(credited, amount=2, first=1)
    with pytest.raises(JCreditError, match=r"reports \[1\] minted 0"):
        record(credited, reports=(1,))


def test_record__report_twice__refused(credited):
    record(credited, reports=(2,))
    with pytest.raises(JCreditError, match="report 2 is already certified in round 1"):
        record(credited, number="JC-TEST-0002", reports=(1, 2), first=2)
    with pytest.raises(JCreditError, match="listed twice"):
        record(credited, number="JC-TEST-0003", reports=(1, 1), first=2)


def test_record__number_used__refused(credited):
    record(credited, reports=(2,))
    with pytest.raises(JCreditError, match="already round 1"):
        record(credited, reports=(1,), first=2)


def test_retire__from_the_round__recorded_in_history_certificate_and_export(credited, tmp_path):
    record(credited, first=501)
    jc = credited.jc
    # Every credit of the token is certified now: a plain retirement is refused.
    with pytest.raises(JCreditError, match="only 0 t-CO2 of its supply are uncertified"):
        jc.credit.retire(
            credited.owner, TOKEN, 1, "Enshu K.K.", RetirementPurpose.CARBON_OFFSET, ""
        )
    with pytest.raises(JCreditError, match="1 t-CO2 of it remain"):
        jc.certifications.retire(
            credited.owner, 1, 2, "Enshu K.K.", RetirementPurpose.CARBON_OFFSET, ""
        )
    retired = jc.certifications.retire(
        credited.owner, 1, 1, "Enshu K.K.", RetirementPurpose.CARBON_OFFSET, "FY2025"
    )
    assert jc.certifications.certification(1).remaining == 0
    (logged,) = retirements(jc.credit.contract, jc.deployment.block)
    assert (logged.certification_id, logged.first_serial, logged.last_serial) == (1, 501, 501)
    assert int(jc.credit.contract.retirements(retired.retirement_id).certification_id) == 1

    cert = certificate(jc, "ethereum:local:test", retired.retirement_id)
    assert cert.certified and cert.certification_number == NUMBER
    assert cert.serials == "JC/ER/JC-TEST-0001-000501..JC/ER/JC-TEST-0001-000501"
    page = write_certificate_html(cert, tmp_path / "c.html").read_text()
    assert "certification number JC-TEST-0001 (round 1; scheme JC, type ER)" in page
    assert "JC/ER/JC-TEST-0001-000501" in page

    issuances, retirements_csv = registry_export(jc, tmp_path / "export")
    rows = list(csv.DictReader(retirements_csv.open(encoding="utf-8")))
    assert rows[0]["certification_number"] == NUMBER
    assert rows[0]["serial_range"] == "JC/ER/JC-TEST-0001-000501..JC/ER/JC-TEST-0001-000501"
    issued = list(csv.DictReader(issuances.open(encoding="utf-8")))
    assert [(r["report_id"], r["certification_id"]) for r in issued] == [("2", "1")]

    table, packages = certification_packages(jc, tmp_path / "export", symbol="JCL")
    (row,) = csv.DictReader(table.open(encoding="utf-8"))
    assert (row["certification_number"], row["amount_t"], row["retired_t"]) == (NUMBER, "1", "1")
    assert row["serial_range"] == "JCL/ER/JC-TEST-0001-000501..JCL/ER/JC-TEST-0001-000501"
    (path,) = packages
    package = json.loads(path.read_text())
    assert [r["report_id"] for r in package["reports"]] == [1, 2]
    april, may = package["reports"]
    assert (april["period_start"], april["period_end"]) == (
        "2025-04-01T00:00:00+09:00",
        "2025-05-01T00:00:00+09:00",
    )
    assert april["data_uri"] and april["merkle_root"].startswith("0x")
    assert (april["self_consumed_wh"], april["reduction_g"], april["minted_t"]) == (
        1_000_000,
        434_000,
        0,
    )
    assert (may["reduction_g"], may["minted_t"]) == (868_000, 1)
    assert {m["kind"] for m in package["meters"]} == {"generation", "export"}
    assert all(m["certification_expiry"] == "2032-03-31T00:00:00+09:00" for m in package["meters"])
    assert package["issuance"]["minted_by_reports_t"] == 1
    assert [r["serial_range"] for r in package["retirements"]] == [
        "JCL/ER/JC-TEST-0001-000501..JCL/ER/JC-TEST-0001-000501"
    ]
    assert "not verified" in package["scheme_note"]


def test_retire__uncertified_credits__round_zero_and_platform_serials(credited, tmp_path):
    jc = credited.jc
    retired = jc.credit.retire(
        credited.owner, TOKEN, 1, "Enshu K.K.", RetirementPurpose.CARBON_OFFSET, ""
    )
    cert = certificate(jc, "ethereum:local:test", retired.retirement_id)
    assert not cert.certified
    assert cert.serials == "JCR-P1-FY2025-000001..JCR-P1-FY2025-000001"
    assert "NOT YET CERTIFIED" in write_certificate_html(cert, tmp_path / "c.html").read_text()
    # The retired credits are gone: nothing is left to certify.
    with pytest.raises(JCreditError, match="only 0 t-CO2 in circulation are not yet certified"):
        record(credited)
