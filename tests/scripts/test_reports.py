"""finalize, devnet advance-time, watch, report monthly and registry-export on real monitoring
reports (embedded chain).

A simulated plant signs two months (April and May 2025) of readings; the oracle submits them
with the devnet's one-hour challenge window, so `finalize` (which finds the report's facts in the
chain's events) has something to do once `devnet advance-time` has passed the window. The tests
are the steps of that story on one module-scoped chain and run in file order (April is
finalized, then May, then the records are exported): run the module, not one test.
"""

import csv

import pytest

from jcredit.history import submitted_reports
from methodology.fiscal import to_iso
from tests.scripts.runner import REGISTER_PLANT, ok, refused

OWNER = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
# 2025-04-01, 2025-05-01, 2025-06-01 at 00:00 JST, seconds since the epoch
APRIL, MAY, JUNE = 1743433200, 1746025200, 1748703600
WINDOW_S = 3600


@pytest.fixture(scope="module")
def feed(run, provider, deployments_dir, tmp_path_factory):
    from ape import accounts, chain

    from jcredit.connect import connect
    from jcredit.tx import Sender
    from oracles.feed import open_oracle
    from oracles.simulator import Plant, write_site

    ok(run("deploy", "--force", "--challenge-window", str(WINDOW_S)))
    platform = connect(provider)
    ok(run(*REGISTER_PLANT))
    project_id = platform.registry.project_count()
    ok(run("project", "approve", str(project_id)))
    ok(run("project", "set-oracle", str(project_id)))
    site_path = write_site(
        tmp_path_factory.mktemp("site"),
        project_id,
        chain.chain_id,
        platform.registry.address,
        APRIL,
        JUNE,
        Plant(latitude=34.71, longitude=137.73),
        owner=OWNER,
    )
    sender = Sender(accounts.test_accounts[3], provider, log=lambda line: None)
    oracle = open_oracle(site_path, platform, sender, log=lambda line: None)
    for meter in oracle.site.meters:
        ok(run("meter", "register", "--project", str(project_id), "--address", meter.address,
               "--kind", meter.kind, "--serial", meter.serial,
               "--certification-expiry", "2032-03-31",
               "--meter-signature", "0x" + meter.registration_signature.hex()))  # fmt: skip
        ok(run("meter", "approve", meter.address, "--certification-expiry", "2032-03-31"))
    oracle.start_monitoring(APRIL)
    return {
        "platform": platform,
        "credit": platform.credit.contract,
        "project_id": project_id,
        "oracle": oracle,
    }


def submitted(feed):
    platform = feed["platform"]
    return submitted_reports(
        platform.reports.contract, platform.deployment.block, feed["project_id"]
    )


def test_finalize__waits_for_the_window_and_the_dispute_then_mints(run, feed):
    from ape import accounts, chain

    credit, project_id = feed["credit"], feed["project_id"]
    reports = feed["platform"].reports
    # The oracle submits April, then waits: May is not sent while April is in its window.
    pushed = feed["oracle"].push()
    assert len(pushed.submitted) == 1
    assert "challenge window" in pushed.stopped
    token = credit.token_id(project_id, 2025)

    nonce = accounts.test_accounts[0].nonce
    out = refused(run("finalize", "--project", str(project_id)))
    (pending,) = submitted(feed)
    deadline = to_iso(pending.challenge_deadline)
    assert f"is in its challenge window until {deadline}: finalize after that" in out
    assert pending.challenge_deadline == chain.blocks[pending.block].timestamp + WINDOW_S
    assert credit.balanceOf(OWNER, token) == 0
    assert accounts.test_accounts[0].nonce == nonce

    # A verifier disputes it: finalize is refused; rejecting the report undoes it and the oracle
    # submits the period again.
    validator = accounts.test_accounts[1]
    reports.contract.dispute(project_id, "export meter reads high", sender=validator)
    out = refused(run("finalize", "--project", str(project_id)))
    assert "is disputed: a validator resolves the dispute first" in out
    reports.contract.resolve_dispute(pending.facts.as_tuple(), False, sender=validator)
    assert len(feed["oracle"].push().submitted) == 1

    ok(run("devnet", "advance-time", "--seconds", str(WINDOW_S + 1)))
    out = ok(run("finalize", "--project", str(project_id)))
    rejected, april = submitted(feed)
    assert (rejected.period_start, rejected.period_end) == (april.period_start, april.period_end)
    # Whole tonnes, truncated; the first report of the year carries nothing in.
    minted = april.reduction_g // 1_000_000
    assert minted >= 1
    assert f"report {april.report_id} of project {project_id} finalized: {minted} t-CO2" in out
    assert f"minted as token {token} to {OWNER}" in out
    assert out.splitlines()[-1].startswith("NOT VALID FOR J-CREDIT: test network (chain id 1337)")
    assert credit.balanceOf(OWNER, token) == minted

    nothing = ok(run("finalize", "--project", str(project_id)))
    assert f"project {project_id} has no pending report: nothing to finalize" in nothing
    assert credit.balanceOf(OWNER, token) == minted
    assert "unknown project 99" in refused(run("finalize", "--project", "99"))


def test_watch__honest_pending_report__consistent_and_nothing_sent(run, feed, tmp_path):
    from ape import accounts

    pushed = feed["oracle"].push()
    assert [(r.period_start, r.period_end) for r in pushed.submitted] == [(MAY, JUNE)]
    (may,) = pushed.submitted
    archive = str(feed["oracle"].site.archive)
    watcher = accounts.test_accounts[5]
    nonce = watcher.nonce
    out = ok(run("watch", "--archive", archive))
    report_id = submitted(feed)[-1].report_id
    assert f"project {feed['project_id']} report {report_id}: consistent" in out
    assert watcher.nonce == nonce
    # Without the archive behind the report nothing can be proven: a validator should dispute.
    result = run("watch", "--archive", str(tmp_path))
    assert result.exit_code == 4, result.output
    assert f"report {report_id}: unverifiable" in result.output
    assert "a validator should dispute it" in result.output
    assert watcher.nonce == nonce
    assert may.data_uri.startswith("archive:")


def test_report_monthly__matches_the_chain(run, feed, tmp_path):
    credit, project_id = feed["credit"], feed["project_id"]
    ok(run("devnet", "advance-time", "--seconds", str(WINDOW_S + 1)))
    ok(run("finalize", "--project", str(project_id)))

    out = ok(run("report", "monthly", "--project", str(project_id), "--fiscal-year", "2025",
                 "--out", str(tmp_path)))  # fmt: skip
    token = credit.token_id(project_id, 2025)
    balance = credit.balanceOf(OWNER, token)
    assert f"project {project_id} FY2025: 2 reports, {balance} t-CO2" in out
    # Placeholder factor and a development chain: said on the CLI, in the CSV and on the chart.
    notice = (
        "NOT VALID FOR J-CREDIT: test network (chain id 1337); placeholder emission factor "
        "(FY2025 434000 g-CO2/MWh is an unverified example value)"
    )
    assert out.splitlines()[0] == notice
    with (tmp_path / f"project-{project_id}-FY2025.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    # The report rejected in the dispute above is not part of the record.
    events = submitted(feed)[1:]
    assert [r["period_start"] for r in rows] == [
        "2025-04-01T00:00:00+09:00",
        "2025-05-01T00:00:00+09:00",
    ]
    assert rows[1]["period_end"] == "2025-06-01T00:00:00+09:00"
    for row, event in zip(rows, events, strict=True):
        assert int(row["generation_wh"]) == event.generation_wh
        assert int(row["export_wh"]) == event.export_wh
        assert int(row["self_consumed_wh"]) == event.generation_wh - event.export_wh
        assert int(row["reduction_g"]) == event.self_consumed_wh * 434_000 // 1_000_000
        assert row["validity"] == notice
    # Fractions carry within the fiscal year: both months' credits = floor of the summed reduction.
    total_g = sum(event.reduction_g for event in events)
    assert sum(int(row["credits_t"]) for row in rows) == total_g // 1_000_000 == balance
    png = tmp_path / f"project-{project_id}-FY2025.png"
    assert png.read_bytes()[:4] == b"\x89PNG"

    assert (
        ok(run("watch", "--archive", str(tmp_path))).strip().endswith("no report open to challenge")
    )

    none = refused(run("report", "monthly", "--project", str(project_id), "--fiscal-year", "2024",
                       "--out", str(tmp_path)))  # fmt: skip
    assert f"project {project_id} has no finalized reports for FY2024" in none


def test_report_monthly__token_id_works_like_project_and_fiscal_year(run, feed, tmp_path):
    project_id = feed["project_id"]
    token = feed["credit"].token_id(project_id, 2025)
    by_token = ok(run("report", "monthly", "--token-id", str(token), "--out", str(tmp_path)))
    assert f"project {project_id} FY2025: 2 reports" in by_token
    assert (tmp_path / f"project-{project_id}-FY2025.csv").is_file()


def test_report_monthly__unknown_project__named(run, feed, tmp_path):
    out = refused(run("report", "monthly", "--project", "99", "--fiscal-year", "2025",
                      "--out", str(tmp_path)))  # fmt: skip
    assert out == f"Error: unknown project 99: this registry has projects 1..{feed['project_id']}"


def test_registry_export__issuances_with_consecutive_serials(run, feed, tmp_path):
    project_id = feed["project_id"]
    ok(run("registry-export", "--project", str(project_id), "--out", str(tmp_path)))
    with (tmp_path / "issuances.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    minted = [int(row["amount_t"]) for row in rows]
    assert sum(minted) == feed["credit"].balanceOf(OWNER, feed["credit"].token_id(project_id, 2025))
    assert rows[0]["monitoring_period_start"] == "2025-04-01T00:00:00+09:00"
    assert rows[0]["monitoring_period_end"] == "2025-05-01T00:00:00+09:00"
    assert (rows[0]["serial_first"], rows[0]["serial_last"]) == ("1", str(minted[0]))
    assert rows[1]["serial_first"] == str(minted[0] + 1)
    assert rows[1]["serial_last"] == str(minted[0] + minted[1])
    prefix = f"JCR-P{project_id}-FY2025"
    assert rows[0]["serial_range"] == f"{prefix}-000001..{prefix}-{minted[0]:06d}"
    assert all(row["project_id"] == str(project_id) for row in rows)
    assert all(row["data_uri"].startswith("archive:") for row in rows)

    assert "unknown project 99" in refused(run("registry-export", "--project", "99"))
    assert all(row["validity"].startswith("NOT VALID FOR J-CREDIT: test network") for row in rows)


def test_factors_show__a_factor_a_report_used_is_locked_and_says_what_that_means(run, feed):
    shown = ok(run("factors", "show", "2025"))
    assert "(locked: a report used it, it can no longer change)" in shown
