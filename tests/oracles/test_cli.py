"""`ape run oracle push|follow|verify` through click, against the anvil devnet of anvil_world
(one-hour challenge window: each push submits one report, the next one after the window
finalizes it first)."""

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from jcredit.tx import Retry
from tests.oracles.anvil_world import JUL_2025, MAY_2025, started
from tests.scripts.runner import script

pytestmark = pytest.mark.anvil
NETWORK = "ethereum:local:foundry"
ROOT = Path(__file__).resolve().parents[2]
NOT_VALID = (
    "NOT VALID FOR J-CREDIT: test network (chain id 31337); placeholder emission factor "
    "(FY2025 434000 g-CO2/MWh is an unverified example value)"
)


@pytest.fixture
def cli(world, monkeypatch, tmp_path):
    """invoke(command, *args) with the world's site and deployments file."""
    # The command connects by itself: point ape-foundry at the world's (proxied) anvil.
    monkeypatch.setenv("APE_FOUNDRY_HOST", f"http://127.0.0.1:{world.proxy.port}")
    deployments = tmp_path / "ethereum-local.json"
    deployments.write_text(json.dumps(world.deployment.__dict__))
    module = script("oracle")
    runner = CliRunner()

    def invoke(command, *args, site=None):
        return runner.invoke(
            module.cli,
            [
                command,
                "--network",
                NETWORK,
                "--site",
                str(site or world.site_path),
                "--deployments",
                str(deployments),
                *args,
            ],
        )

    return invoke


@pytest.mark.parametrize("command", ["push", "follow", "verify"])
def test_every_command_has_help(command):
    module = script("oracle")
    result = CliRunner().invoke(module.cli, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "--site" in result.output and "--network" in result.output


def push_through(world, cli) -> list[str]:
    """push --start, then push again after each window until up to date; the outputs."""
    outputs = [cli("push", "--start", "2025-04-01", "--no-progress").output]
    while "up to date" not in outputs[-1]:
        assert "challenge window until" in outputs[-1], outputs[-1]
        world.advance()
        result = cli("push", "--no-progress")
        assert result.exit_code == 0, result.output
        outputs.append(result.output)
    return outputs


def test_push_one_report_per_window_then_verify_says_ok(world, cli):
    outputs = push_through(world, cli)
    assert "1 report(s) submitted" in outputs[0]
    assert NOT_VALID in outputs[0].splitlines()
    assert "stopped: report 1 is in its challenge window until" in outputs[0]
    assert "1 report(s) finalized" in outputs[1] and "1 report(s) submitted" in outputs[1]
    assert "up to date: next period starts 2025-07-01T00:00:00+09:00" in outputs[-1]
    assert len(outputs) == 4  # April, May, June, then June finalized
    assert world.reports.next_period_start(world.site().project_id) == JUL_2025
    again = cli("push", "--no-progress")
    assert again.exit_code == 0 and "0 report(s) submitted" in again.output
    verified = cli("verify")
    assert verified.exit_code == 0, verified.output
    assert verified.output.count(": OK") == 3


def test_verify_names_a_changed_archive(world, cli, tmp_path):
    push_through(world, cli)
    copy = tmp_path / "archive"
    shutil.copytree(world.site().archive, copy)
    first = sorted((copy / str(world.site().project_id)).glob("*.csv"))[0]
    first.write_text(first.read_text() + "\n")
    result = cli("verify", "--archive", str(copy))
    assert result.exit_code == 1
    assert "DIFFERS" in result.output and "content hash" in result.output
    assert "Error: 1 of 3 report(s) differ from the archive" in result.output


def test_push_before_start_says_how_to_start(cli):
    result = cli("push", "--no-progress")
    assert result.exit_code == 1
    assert "monitoring not started" in result.output and "--start" in result.output


def test_bad_site_config_is_a_clear_error(cli, tmp_path):
    bad = tmp_path / "site.json"
    bad.write_text('{"project_id": 1, "capacity_w": 5000, "meters": []}')
    result = cli("push", site=bad)
    assert result.exit_code == 1
    assert result.output.startswith("Error: ")
    assert "generation + export meters or a self_consumption one" in result.output


def test_follow__submits_then_stops_cleanly_on_ctrl_c_during_the_pause(world, cli, monkeypatch):
    polls = []

    def interrupt(seconds):
        polls.append(seconds)
        raise KeyboardInterrupt

    # Only the pause between polls is replaced: the oracle's own waits (for a transaction in
    # flight) keep sleeping for real, so Ctrl-C lands after a whole poll, never inside one.
    monkeypatch.setattr(script("oracle"), "pause", interrupt)
    started(world)
    result = cli("follow", "--interval", "1")
    assert result.exit_code == 0, result.output
    assert polls == [1]
    assert "1 report(s) submitted" in result.output
    assert "stopped (Ctrl-C); rerun to resume" in result.output
    assert world.reports.next_period_start(world.site().project_id) == MAY_2025


STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+09:00 ")


def test_follow__node_goes_away_and_comes_back__retries_with_timestamps_then_resumes(
    world, cli, monkeypatch
):
    module = script("oracle")
    monkeypatch.setattr(module, "NODE_RETRY", Retry(attempts=2, first_delay=0.05))
    pauses = []

    def pause(seconds):
        pauses.append(seconds)
        if len(pauses) == 2:
            world.proxy.up()  # the node is back after two failed attempts
        if len(pauses) == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(module, "pause", pause)
    started(world)
    world.proxy.down()
    result = cli("follow", "--interval", "60")
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    unreachable = [line for line in lines if "node unreachable" in line]
    assert [("(attempt 1)" in u, "(attempt 2)" in u) for u in unreachable] == [
        (True, False),
        (False, True),
    ]
    # Backoff: 5 s, then 10 s; after the node is back, the poll interval again.
    assert pauses == [5, 10, 60]
    assert "retrying at " in unreachable[0] and "(in 5 s)" in unreachable[0]
    assert any("node back after 2 failed attempt(s)" in line for line in lines)
    (polled,) = [line for line in lines if "report(s) submitted" in line]
    assert "1 report(s) submitted; stopped: report 1 is in its challenge window until " in polled
    assert "next poll at " in polled
    for line in [*unreachable, polled]:
        assert STAMP.match(line), line
    assert "Traceback" not in result.output
    assert lines[-1] == "stopped (Ctrl-C); rerun to resume from the chain's state"
    assert world.reports.next_period_start(world.site().project_id) == MAY_2025


def test_follow__each_poll_is_one_timestamped_line_with_the_next_poll_time(world, cli, monkeypatch):
    pauses = []

    def pause(seconds):
        pauses.append(seconds)
        if len(pauses) == 1:
            world.advance()  # past report 1's challenge window: the next poll finalizes it
        if len(pauses) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(script("oracle"), "pause", pause)
    started(world)
    result = cli("follow", "--interval", "30")
    assert result.exit_code == 0, result.output
    polls = [line for line in result.output.splitlines() if "report(s) submitted" in line]
    assert len(polls) == 2
    assert "1 report(s) submitted; stopped: report 1 is in its challenge window" in polls[0]
    assert (
        "1 report(s) finalized; 1 report(s) submitted; stopped: report 2 is in its challenge window"
        in polls[1]
    )
    assert any(STAMP.match(line) and NOT_VALID in line for line in result.output.splitlines())
    for line in polls:
        assert STAMP.match(line) and "; next poll at " in line, line


def _tampered_site(world, tmp_path):
    """A copy of the world's site with one signature edited (a mid-April batch of one meter)."""
    copy = tmp_path / "tampered"
    shutil.copytree(world.site_path.parent, copy)
    signatures = copy / "signatures.csv"
    lines = signatures.read_text().splitlines()
    fields = lines[10].split(",")
    # Flip v (27 <-> 28): the signature stays well formed and recovers another address (an
    # edited r may be no point on the curve at all: a malformed signature, not a foreign one).
    flipped = {"1b": "1c", "1c": "1b"}[fields[5][-2:]]
    fields[5] = fields[5][:-2] + flipped
    lines[10] = ",".join(fields)
    signatures.write_text("\n".join(lines) + "\n")
    return copy / world.site_path.name


def test_push__refused_readings__submits_then_exits_3(world, cli, tmp_path):
    started(world)
    result = cli("push", "--no-progress", site=_tampered_site(world, tmp_path))
    assert result.exit_code == 3, result.output
    assert "reading(s) refused:" in result.output and "not by the meter" in result.output
    assert "1 report(s) submitted" in result.output
    assert "completed with 48 refused reading(s) (listed above): exit code 3" in result.output
    assert world.reports.next_period_start(world.site().project_id) == MAY_2025


def test_push__refused_readings__exit_code_3_through_ape_run(world, tmp_path):
    """The code cron or systemd sees: `ape run oracle push` as a process."""
    started(world)
    deployments = tmp_path / "deployments.json"
    deployments.write_text(json.dumps(world.deployment.__dict__))
    env = {**os.environ, "APE_FOUNDRY_HOST": f"http://127.0.0.1:{world.proxy.port}"}
    result = subprocess.run(
        ["ape", "run", "oracle", "push", "--network", NETWORK, "--site",
         str(_tampered_site(world, tmp_path)), "--deployments", str(deployments)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 3, result.stdout + result.stderr
    assert "completed with 48 refused reading(s)" in result.stderr
    assert "1 report(s) submitted" in result.stdout
    # Piped output: no progress bar drawn between the report lines.
    assert "closed periods" not in result.stdout + result.stderr


def test_verify__report_of_another_project__says_whose_report_it_is(world, cli, tmp_path):
    push_through(world, cli)
    other = tmp_path / "site-3.json"
    config = json.loads(world.site_path.read_text())
    other.write_text(json.dumps({**config, "project_id": 3}))
    result = cli("verify", "--report-id", "1", site=other)
    assert result.exit_code == 1
    assert result.output.strip() == (
        f"Error: report 1 belongs to project {config['project_id']}, not to project 3 of "
        f"{other} (report ids count across all projects)"
    )
    unknown = cli("verify", "--report-id", "99")
    assert unknown.exit_code == 1
    assert "Error: unknown report 99: this registry has reports 1..3" in unknown.output


@pytest.mark.parametrize("command", ["push", "follow", "verify"])
def test_every_command__no_contracts_on_this_chain__says_to_deploy(world, cli, tmp_path, command):
    """A restarted devnet: the deployments file is there, its contracts are not."""
    gone = tmp_path / "restarted.json"
    nowhere = {
        "registry": "0x" + "11" * 20,
        "reports": "0x" + "33" * 20,
        "fraud_proofs": "0x" + "44" * 20,
        "credit": "0x" + "22" * 20,
    }
    gone.write_text(json.dumps({**world.deployment.__dict__, **nowhere}))
    result = cli(command, "--deployments", str(gone))
    assert result.exit_code == 1, result.output
    assert result.output.strip() == (
        f"Error: no deployment for {NETWORK} in {gone} (its contracts are not on this chain): "
        f"run `ape run deploy --network {NETWORK}` first"
    )


def test_push__site_meter_address_with_bad_checksum__refused_naming_it(world, cli, tmp_path):
    config = json.loads(world.site_path.read_text())
    good = config["meters"][0]["address"]
    typo = good[:-1] + ("0" if good[-1] != "0" else "1")
    config["meters"][0]["address"] = typo
    bad = world.site_path.parent / "typo.json"
    bad.write_text(json.dumps(config))
    result = cli("push", "--no-progress", site=bad)
    assert result.exit_code == 1, result.output
    assert result.output.startswith(f"Error: {bad}: meters[0]: {typo} fails its EIP-55")
    # The same address all in lower case carries no checksum and is taken as it is.
    config["meters"][0]["address"] = good.lower()
    bad.write_text(json.dumps(config))
    assert cli("push", "--start", "2025-04-01", "--no-progress", site=bad).exit_code == 0


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("backwards", "meter {meter}: register goes backwards at 2025-07-01T00:30:00+09:00"),
        ("two values", "meter {meter} at 2025-07-01T00:00:00+09:00: two different values"),
        ("unknown meter", "meter 'PV-9' is not in site config"),
    ],
)
def test_push__bad_reading__error_names_the_file_line(world, cli, tmp_path, case, expected):
    copy = tmp_path / "site"
    shutil.copytree(world.site_path.parent, copy)
    readings = copy / "readings.csv"
    lines = readings.read_text().splitlines()
    meter, kind = lines[1].split(",")[1:3]
    last = [line for line in lines if line.split(",")[1] == meter][-1]
    added = {
        "backwards": f"2025-07-01T00:30:00+09:00,{meter},{kind},0",
        "two values": f"{last.split(',')[0]},{meter},{kind},{int(last.split(',')[3]) + 1}",
        "unknown meter": f"2025-07-01T00:30:00+09:00,PV-9,{kind},0",
    }[case]
    readings.write_text("\n".join([*lines, added]) + "\n")
    result = cli("push", "--no-progress", site=copy / world.site_path.name)
    assert result.exit_code == 1, result.output
    assert result.output.startswith(f"Error: {readings} line {len(lines) + 1}: "), result.output
    assert expected.format(meter=meter) in result.output
