"""`ape run oracle push|follow|verify` through click, against the anvil devnet of anvil_world
(one-hour challenge window: each push submits one report, the next one after the window
finalizes it first)."""

import json
import shutil

import pytest
from click.testing import CliRunner

from tests.oracles.anvil_world import JUL_2025, MAY_2025, started
from tests.scripts.runner import script

pytestmark = pytest.mark.anvil
NETWORK = "ethereum:local:foundry"


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
