"""`ape run oracle push|follow|verify` through click, against the anvil devnet of anvil_world."""

import importlib
import json
import shutil

import pytest
from anvil_world import JUL_2025
from click.testing import CliRunner
from test_submit_anvil import started

pytestmark = pytest.mark.anvil
NETWORK = "ethereum:local:foundry"


@pytest.fixture
def cli(world, monkeypatch, tmp_path):
    """invoke(command, *args) with the world's site and deployments file."""
    # The command connects by itself: point ape-foundry at the world's (proxied) anvil.
    monkeypatch.setenv("APE_FOUNDRY_HOST", f"http://127.0.0.1:{world.proxy.port}")
    deployments = tmp_path / "ethereum-local.json"
    deployments.write_text(json.dumps(world.deployment.__dict__))
    module = importlib.import_module("scripts.oracle")
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
    module = importlib.import_module("scripts.oracle")
    result = CliRunner().invoke(module.cli, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert "--site" in result.output and "--network" in result.output


def test_push_backfills_then_verify_says_ok(world, cli):
    result = cli("push", "--start", "2025-04-01", "--no-progress")
    assert result.exit_code == 0, result.output
    assert "3 report(s) submitted" in result.output
    assert "up to date: next period starts 2025-07-01T00:00:00+09:00" in result.output
    assert world.registry.next_period_start(world.site().project_id) == JUL_2025
    again = cli("push", "--no-progress")
    assert again.exit_code == 0 and "0 report(s) submitted" in again.output
    verified = cli("verify")
    assert verified.exit_code == 0, verified.output
    assert verified.output.count(": OK") == 3


def test_verify_names_a_changed_archive(world, cli, tmp_path):
    assert cli("push", "--start", "2025-04-01", "--no-progress").exit_code == 0
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


def test_follow_submits_and_stops_cleanly_on_ctrl_c(world, cli, monkeypatch):
    oracle_script = importlib.import_module("scripts.oracle")

    def interrupt(seconds):
        raise KeyboardInterrupt

    monkeypatch.setattr(oracle_script.time, "sleep", interrupt)
    started(world)
    result = cli("follow", "--interval", "1")
    assert result.exit_code == 0, result.output
    assert "3 report(s) submitted" in result.output
    assert "stopped (Ctrl-C); rerun to resume" in result.output
    assert world.registry.next_period_start(world.site().project_id) == JUL_2025


def test_keyfile_account_autosigns_only_with_its_passphrase_in_the_environment(monkeypatch):
    module = importlib.import_module("scripts.oracle")

    class Keyfile:
        alias = "feed"
        autosign = None

        def set_autosign(self, enabled, passphrase=None):
            self.autosign = (enabled, passphrase)

    account = Keyfile()
    assert module.unattended(account).autosign is None
    monkeypatch.setenv("APE_ACCOUNTS_feed_PASSPHRASE", "s3cret")
    assert module.unattended(account).autosign == (True, "s3cret")
