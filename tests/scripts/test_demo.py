"""`ape run demo` on anvil, twice, and its summary checked against the chain it ran on (twelve
reports, each finalized after the devnet's clock passed its one-hour challenge window, and before
them a rogue oracle's inflated April report, proven false by the watcher and undone).

The test starts its own anvil on a free port and points the demo at it (APE_FOUNDRY_HOST), so the
chain is still there to be read after the demo has finished, and nothing else on 8545 is touched.
"""

import json
import os
import shutil
import socket
import subprocess
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

pytestmark = pytest.mark.anvil

ROOT = Path(__file__).resolve().parents[2]
NETWORK = "ethereum:local:foundry"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def anvil_host():
    anvil = shutil.which("anvil")
    assert anvil, "anvil not on PATH: run through `make test`"
    port = free_port()
    process = subprocess.Popen(
        [anvil, "--port", str(port), "--silent"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    host = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            assert time.monotonic() < deadline, "anvil did not start listening"
            time.sleep(0.2)
    yield host
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def demo_runs(anvil_host, tmp_path_factory):
    """Two demo runs in a row on the same devnet; their summaries."""
    out = tmp_path_factory.mktemp("demo-out")
    env = {
        **os.environ,
        "APE_FOUNDRY_HOST": anvil_host,
        "JCREDIT_DEPLOYMENTS_DIR": str(tmp_path_factory.mktemp("demo-deployments")),
        "JCREDIT_OUT_DIR": str(out),
        "MPLBACKEND": "Agg",
    }
    summaries = []
    for run in (1, 2):
        result = subprocess.run(
            [
                "ape",
                "run",
                "demo",
                "--network",
                "ethereum:local:foundry",
                "--out",
                str(out / f"run{run}"),
            ],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        (out / f"run{run}.stdout").write_text(result.stdout)
        summaries.append(json.loads((out / f"run{run}" / "summary.json").read_text()))
    return summaries


@pytest.fixture(scope="module")
def devnet(anvil_host, demo_runs):
    from ape import networks

    os.environ["APE_FOUNDRY_HOST"] = anvil_host
    try:
        with networks.parse_network_choice(NETWORK) as provider:
            yield provider
    finally:
        os.environ.pop("APE_FOUNDRY_HOST", None)


def contracts(summary):
    from ape import project

    return (
        project.MonitoringReports.at(summary["contracts"]["MonitoringReports"]),
        project.CarbonCredit.at(summary["contracts"]["CarbonCredit"]),
    )


def kept_reports(reports, project_id):
    """The project's submitted reports that were not undone, by report id."""
    from jcredit.history import submitted_reports, undone_reports

    undone = {u.report_id for u in undone_reports(reports, 0, project_id)}
    return [r for r in submitted_reports(reports, 0, project_id) if r.report_id not in undone]


def test_demo__summary_has_every_field_and_the_outputs_exist(demo_runs):
    summary = demo_runs[0]
    assert summary["network"] == NETWORK
    assert summary["project_id"] == 1
    # The last fiscal year (April-March, JST) that has ended: FY2025 from April 2026 to March 2027.
    today = datetime.now(timezone(timedelta(hours=9))).date()
    assert summary["fiscal_year"] == (today.year - 1 if today.month >= 4 else today.year - 2)
    assert summary["periods_reported"] == 12
    assert summary["site"]["capacity_w"] == 49_500
    assert summary["challenge_window_s"] == 3600
    assert set(summary["contracts"]) == {
        "Registry",
        "MonitoringReports",
        "FraudProofs",
        "CarbonCredit",
    }
    for key in (
        "self_consumed_wh",
        "reduction_g",
        "credits_minted_t",
        "transferred_t",
        "retired_t",
    ):
        assert summary[key] > 0, key
    for path in summary["outputs"].values():
        assert Path(path).is_file(), path
    assert set(summary["accounts"]) == {
        "admin",
        "validator",
        "owner",
        "oracle",
        "buyer",
        "watcher",
        "rogue_oracle",
        "registrar",
    }
    fraud = summary["fraud"]
    assert set(fraud) == {
        "report_id",
        "period_start",
        "period_end",
        "kind",
        "rogue_oracle",
        "claimed_self_consumed_wh",
        "claimed_reduction_g",
        "claimed_t",
        "methodology_reduction_g",
        "methodology_void",
        "methodology_problems",
        "submit_tx",
        "watcher",
        "bond_wei",
        "proof_tx",
    }
    assert (fraud["rogue_oracle"], fraud["watcher"]) == (
        summary["accounts"]["rogue_oracle"],
        summary["accounts"]["watcher"],
    )
    assert fraud["kind"] == "interval_above_capacity"
    # The glitch is in April, the fiscal year's first month; the honest oracle reports it void.
    april = f"{summary['fiscal_year']}-04"
    assert fraud["period_start"].startswith(f"{april}-01T00:00:00")
    assert summary["void_periods"] == [april]


def test_demo__minted_is_the_sum_over_the_reports_on_chain(devnet, demo_runs):
    from jcredit.history import finalized_reports, submitted_reports
    from methodology.fiscal import fiscal_year_bounds

    for summary in demo_runs:
        reports, credit = contracts(summary)
        project_id = summary["project_id"]
        finalized = finalized_reports(reports, 0, project_id)
        submitted = kept_reports(reports, project_id)
        # Thirteen accepted, the rogue's undone: twelve that count, each finalized.
        assert len(submitted_reports(reports, 0, project_id)) == 13
        assert len(finalized) == len(submitted) == summary["periods_reported"] == 12
        assert [f.submitted.report_id for f in finalized] == [r.report_id for r in submitted]
        # Twelve calendar months from the fiscal year's start, the first carrying the meters'
        # start readings again (the undone report gave them back as no baseline).
        assert submitted[0].period_start == fiscal_year_bounds(summary["fiscal_year"])[0]
        assert all(p.carried_start for p in submitted[0].facts.meter_periods())
        assert not any(p.carried_start for r in submitted[1:] for p in r.facts.meter_periods())
        assert [r.period_end for r in submitted[:-1]] == [r.period_start for r in submitted[1:]]
        # April (the glitch) is void and minted nothing; every other month is valid.
        assert [r.void for r in submitted] == [True] + [False] * 11
        assert (submitted[0].self_consumed_wh, submitted[0].reduction_g) == (0, 0)
        assert finalized[0].minted_t == 0
        token = summary["token_id"]
        assert token == credit.token_id(project_id, summary["fiscal_year"])
        assert sum(r.minted_t for r in finalized) == summary["credits_minted_t"]
        assert credit.minted(token) == summary["credits_minted_t"]
        assert sum(r.self_consumed_wh for r in submitted) == summary["self_consumed_wh"]
        assert sum(r.reduction_g for r in submitted) == summary["reduction_g"]
        # Whole tonnes only, and fractions are never lost within the year: what was not minted
        # is less than one tonne.
        assert 0 <= summary["reduction_g"] - summary["credits_minted_t"] * 1_000_000 < 1_000_000


def test_demo__balances_and_retirements_add_up(devnet, demo_runs):
    for summary in demo_runs:
        _, credit = contracts(summary)
        token = summary["token_id"]
        balances = summary["balances"]
        for address, amount in balances.items():
            assert credit.balanceOf(address, token) == amount
        assert sum(balances.values()) + summary["retired_t"] == summary["credits_minted_t"]
        records = [credit.retirements(rid) for rid in summary["retirement_ids"]]
        assert sum(r.amount for r in records) == summary["retired_t"]
        assert all(r.holder == summary["accounts"]["buyer"] for r in records)
        assert credit.total_supply(token) == summary["credits_minted_t"] - summary["retired_t"]
        buyer = summary["accounts"]["buyer"]
        assert balances[buyer] == summary["transferred_t"] - summary["retired_t"]


def test_demo__the_years_credits_are_certified_and_the_buyer_retires_from_the_round(
    devnet, demo_runs
):
    for summary in demo_runs:
        _, credit = contracts(summary)
        token, minted = summary["token_id"], summary["credits_minted_t"]
        stated = summary["certification"]
        recorded = credit.certifications(stated["id"])
        assert recorded.certification_number == stated["number"]
        assert recorded.token_id == token
        # The whole year is certified: nothing of the token is left uncertified.
        assert recorded.amount == stated["certified_t"] == credit.certified(token) == minted
        assert credit.uncertified_supply(token) == 0
        assert [recorded.first_serial, recorded.last_serial] == stated["serials"] == [1, minted]
        (retirement_id,) = summary["retirement_ids"]
        assert credit.retirements(retirement_id).certification_id == stated["id"]
        assert recorded.retired == credit.certified_retired(token) == summary["retired_t"]


def test_demo__second_run_reuses_the_deployment_and_adds_a_project(demo_runs):
    first, second = demo_runs
    assert second["contracts"] == first["contracts"]
    assert second["project_id"] == first["project_id"] + 1
    assert second["retirement_ids"] == [first["retirement_ids"][-1] + 1]
    # The first run's rogue was slashed for good (it can never bond again): the second run's
    # rogue is the next devnet test account.
    from ape import accounts

    assert first["fraud"]["rogue_oracle"] == accounts.test_accounts[6].address
    assert second["fraud"]["rogue_oracle"] == accounts.test_accounts[7].address
    assert second["fraud"]["report_id"] > first["fraud"]["report_id"]


def test_demo__the_rogues_inflated_report_is_proven_false_and_undone(devnet, demo_runs):
    from ape import project

    from jcredit.history import fraud_proven, logs, submitted_report, undone_reports
    from jcredit.types import ORACLE_ROLE, FraudKind, MeterKind, UndoneReason
    from methodology.compute import compute_periods, reduction_g
    from methodology.factors import load_factors
    from methodology.readings import load_readings
    from methodology.units import G_PER_T
    from oracles.archive import resolve

    first = demo_runs[0]
    registry = project.Registry.at(first["contracts"]["Registry"])
    fraud_proofs = project.FraudProofs.at(first["contracts"]["FraudProofs"])
    watcher = first["accounts"]["watcher"]
    for summary in demo_runs:
        rogue = summary["accounts"]["rogue_oracle"]
        reports, _ = contracts(summary)
        fraud, project_id = summary["fraud"], summary["project_id"]
        report_id = fraud["report_id"]

        # The rogue's report as the chain accepted it: April, claimed valid, the claim what the
        # boundary readings show at the chain's factor (the 49.5 kW plant meters its
        # self-consumption directly: above 10 kW generation - export is not accepted).
        logged = submitted_report(reports, 0, project_id, report_id)
        assert logged.facts.oracle == rogue and logged.tx_hash == fraud["submit_tx"]
        assert not logged.void
        claimed_wh = logged.facts.period_of(MeterKind.SELF_CONSUMPTION).energy_wh
        assert 0 < claimed_wh < logged.generation_wh - logged.export_wh  # the glitch is not in it
        factor = registry.emission_factors(summary["fiscal_year"]).factor_g_per_mwh
        assert logged.self_consumed_wh == claimed_wh == fraud["claimed_self_consumed_wh"] > 0
        assert logged.reduction_g == reduction_g(claimed_wh, factor) == fraud["claimed_reduction_g"]
        assert fraud["claimed_t"] == fraud["claimed_reduction_g"] / G_PER_T

        # What the methodology says of the same archived data: void, nothing to credit.
        archive = Path(summary["outputs"]["site_config"]).parent / "archive"
        readings = load_readings(resolve(archive, logged.data_uri))
        (period,) = compute_periods(
            readings,
            summary["site"]["capacity_w"],
            load_factors(),
            [(logged.period_start, logged.period_end)],
        ).periods
        assert not period.valid and period.reduction_g == 0
        assert (fraud["methodology_void"], fraud["methodology_reduction_g"]) == (True, 0)
        assert fraud["methodology_problems"] == period.problems
        assert period.problems[0].startswith("generation > capacity: meter")

        # Undone as fraud; the watcher's proof of an interval above capacity paid it the bond.
        undone = [u for u in undone_reports(reports, 0, project_id) if u.report_id == report_id]
        assert [u.reason for u in undone] == [UndoneReason.FRAUD_PROVEN]
        (proof,) = fraud_proven(fraud_proofs, 0, project_id)
        assert (proof.report_id, proof.kind, proof.oracle, proof.challenger) == (
            report_id,
            FraudKind.INTERVAL_ABOVE_CAPACITY,
            rogue,
            watcher,
        )
        assert proof.bond == fraud["bond_wei"] == reports.min_bond()
        assert proof.tx_hash == fraud["proof_tx"] == undone[0].tx_hash
        # The watcher's balance rose by the bond, less the proof's fee (anvil mines one
        # transaction per block).
        receipt = devnet.get_receipt(proof.tx_hash)
        block = receipt.block_number
        balance = devnet.web3.eth.get_balance
        gained = balance(watcher, block) - balance(watcher, block - 1)
        assert gained == proof.bond - receipt.total_fees_paid
        # The proof took the rogue's role; the honest oracle now reports for the project.
        revoked = logs(registry.RoleRevoked, block, role=ORACLE_ROLE, account=rogue)
        assert any(str(log.transaction_hash) == proof.tx_hash for log in revoked)
        assert registry.projects(project_id).oracle == summary["accounts"]["oracle"]
        assert not registry.has_role(ORACLE_ROLE, rogue)
        assert reports.is_slashed(rogue)
    assert registry.has_role(ORACLE_ROLE, first["accounts"]["oracle"])


README = ROOT / "README.md"


def test_demo__readme_shows_what_a_first_run_prints(demo_runs):
    """The README's excerpt of the demo's output (fresh anvil, FY2025) is what the first run
    printed: the fraud scene's lines and the table's lines, "..." standing for what differs."""
    first = demo_runs[0]
    if first["fiscal_year"] != 2025:
        pytest.skip("the README shows the FY2025 demo")
    text = README.read_text()
    excerpt = text[text.index("The fraud scene prints") : text.index("## Guides")]
    shown = [line.strip() for line in excerpt.splitlines() if line.startswith("    ")]
    assert len(shown) == 7
    runs = Path(first["outputs"]["report_csv"]).parents[2]
    printed = [line.strip() for line in (runs / "run1.stdout").read_text().splitlines()]
    for line in shown:
        if line == "...":
            continue
        head = line.removesuffix("(tx 0x...)")
        assert any(p.startswith(head) for p in printed), line
    assert f"{first['credits_minted_t']} t for the year" in text


NOT_VALID = (
    "NOT VALID FOR J-CREDIT: test network (chain id 31337); placeholder emission factor (FY{fy} "
    "434000 g-CO2/MWh is an unverified example value)"
)


def test_demo__says_it_is_not_valid_for_j_credit_and_when_it_reuses_a_deployment(demo_runs):
    first, second = demo_runs
    notice = NOT_VALID.format(fy=first["fiscal_year"])
    assert first["validity"] == second["validity"] == notice
    runs = Path(first["outputs"]["report_csv"]).parents[2]
    stdout = [(runs / f"run{run}.stdout").read_text() for run in (1, 2)]
    first_lines, second_lines = (text.splitlines() for text in stdout)
    assert any(
        line.startswith("deployed and launched on ethereum:local:foundry: ") for line in first_lines
    )
    assert not any(line.startswith("deployed") for line in second_lines)
    assert any(
        line.startswith("reusing the deployment already on ethereum:local:foundry: ")
        for line in second_lines
    )
    assert "g-CO2/MWh, placeholder (unverified example value)" in stdout[0]
    assert f"  {notice}" in stdout[0].splitlines()
    page = Path(first["outputs"]["certificate_html"]).read_text()
    for needle in (notice, "Hamamatsu factory roof (Shizuoka)", "34.71 N, 137.73 E",
                   "Carbon offset (カーボン・オフセット)", first["contracts"]["Registry"],
                   f"JC/ER/DEMO-FY{first['fiscal_year']}-P1-000001"):  # fmt: skip
        assert needle in page, needle
