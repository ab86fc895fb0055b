"""`ape run demo_program` on anvil (45 households instead of 1,000, the same story), its summary
checked against the chain it ran on: the inflated report undone by a member proof, three reports
finalized, the manager's balance equal to what they minted, and the program scripts reading the
same chain (`show`, `reports`, `member` with its proof against the root)."""

import json
import os
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.scripts.runner import script
from tests.scripts.test_demo import anvil_host  # noqa: F401 (a fixture: this module's own anvil)

pytestmark = pytest.mark.anvil

ROOT = Path(__file__).resolve().parents[2]
NETWORK = "ethereum:local:foundry"
HOUSEHOLDS = 45


@pytest.fixture(scope="module")
def demo(anvil_host, tmp_path_factory):  # noqa: F811
    out = tmp_path_factory.mktemp("program-out")
    deployments = tmp_path_factory.mktemp("program-deployments")
    env = {
        **os.environ,
        "APE_FOUNDRY_HOST": anvil_host,
        "JCREDIT_DEPLOYMENTS_DIR": str(deployments),
        "MPLBACKEND": "Agg",
    }
    result = subprocess.run(
        [
            "ape",
            "run",
            "demo_program",
            "--network",
            NETWORK,
            "--households",
            str(HOUSEHOLDS),
            "--out",
            str(out),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    summary = json.loads((out / "summary.json").read_text())
    return summary, out, result.stdout, deployments


@pytest.fixture(scope="module")
def devnet(anvil_host, demo):  # noqa: F811
    from ape import networks

    saved = os.environ.get("JCREDIT_DEPLOYMENTS_DIR")
    os.environ["APE_FOUNDRY_HOST"] = anvil_host
    os.environ["JCREDIT_DEPLOYMENTS_DIR"] = str(demo[3])
    try:
        with networks.parse_network_choice(NETWORK) as provider:
            yield provider
    finally:
        os.environ.pop("APE_FOUNDRY_HOST", None)
        if saved is None:
            os.environ.pop("JCREDIT_DEPLOYMENTS_DIR", None)
        else:
            os.environ["JCREDIT_DEPLOYMENTS_DIR"] = saved


def test_demo_program__summary_tells_the_story(demo):
    summary, *_ = demo
    assert summary["members"] == HOUSEHOLDS
    assert summary["months"] == 3
    assert Path(summary["chart"]).is_file()
    undone = summary["undone_report"]
    assert undone["proof_kind"] == 1
    assert undone["claimed_g"] > undone["measured_g"]
    assert undone["proof_function"] == "MemberProofs.prove_member"
    # Members 17 (tampered reading) and 42 (over capacity) earn nothing in the first month.
    first = summary["reports"][0]
    assert set(first["refused"]) == {"17", "42"}
    assert first["valid_members"] == HOUSEHOLDS - 2
    assert "data_demand" in summary["reports"][1]


def test_demo_program__chain_matches_the_summary(devnet, demo):
    from ape import project

    from jcredit.programs import ProgramsClient

    summary, *_ = demo
    contracts = summary["contracts"]
    programs = ProgramsClient(
        project.Programs.at(contracts["Programs"]),
        project.MemberProofs.at(contracts["MemberProofs"]),
        project.ProgramProofs.at(contracts["ProgramProofs"]),
    )
    credit = project.CarbonCredit.at(contracts["CarbonCredit (programs)"])
    program_id = summary["program_id"]
    undone = programs.undone(program_id)
    assert [int(log.report_id) for log in undone] == [summary["undone_report"]["report_id"]]
    finalized = programs.finalized(program_id)
    assert [int(log.report_id) for log in finalized] == [r["report_id"] for r in summary["reports"]]
    minted = sum(int(log.minted_t) for log in finalized)
    total_g = sum(int(log.total_g) for log in finalized)
    carry = int(programs.contract.carry_g(program_id, summary["fiscal_year"]))
    # Whole tonnes minted plus the carried grams are exactly what the three reports credited.
    assert minted * 10**6 + carry == total_g == summary["credits"]["credited_g_all_members"]
    manager = programs.program(program_id).payout
    assert int(credit.balanceOf(manager, summary["credits"]["token_id"])) == minted
    assert programs.contract.is_slashed(summary["undone_report"]["oracle"])


def test_program_scripts__read_the_demo_chain(devnet, demo):
    summary, out, *_ = demo
    runner = CliRunner()
    program = script("program").cli
    program_id = str(summary["program_id"])
    shown = runner.invoke(program, ["show", program_id, "--network", NETWORK])
    assert shown.exit_code == 0, shown.output
    assert "APPROVED" in shown.output
    listed = runner.invoke(program, ["reports", program_id, "--network", NETWORK])
    assert listed.exit_code == 0, listed.output
    assert listed.output.count("finalized") == 3
    assert "undone" in listed.output
    listed_members = runner.invoke(
        program,
        ["members", program_id, "--archive", str(out / "archive"), "--network", NETWORK],
    )
    assert listed_members.exit_code == 0, listed_members.output
    assert listed_members.output.count("  member ") == HOUSEHOLDS
    member = runner.invoke(
        program,
        ["member", program_id, "7", "--archive", str(out / "archive"), "--network", NETWORK],
    )
    assert member.exit_code == 0, member.output
    assert member.output.count("checked") == 3
    assert "credited in all" in member.output
