"""`ape run NAME --help` as a user reads it: every summary whole, every option explained."""

import pytest
from click.testing import CliRunner

from tests.scripts.runner import script


def help_of(name: str, *command: str) -> str:
    result = CliRunner().invoke(script(name).cli, [*command, "--help"])
    assert result.exit_code == 0, result.output
    return result.output


def test_meter_help__revoke_summary_is_not_cut_at_an_abbreviation():
    summary = "  revoke    Revoke a compromised meter (project owner or validator).\n"
    assert summary in help_of("meter")


@pytest.mark.parametrize(
    ("name", "command"),
    [("simulate", ()), ("credits", ("transfer",)), ("credits", ("retire",)),
     ("credits", ("history",)), ("credits", ("certify",)), ("credits", ("rounds",)),
     ("report", ("monthly",))],
)  # fmt: skip
def test_help__project_and_fiscal_year_options_are_explained(name, command):
    text = " ".join(help_of(name, *command).split())
    assert "--project INTEGER RANGE Project id" in text or "--project INTEGER RANGE Registered" in (
        text
    )
    assert "--fiscal-year INTEGER RANGE" in text and "April-March, JST" in text


def test_credits_help__certification_commands_listed_and_explained():
    text = " ".join(help_of("credits").split())
    assert "certify Record a J-Credit certification round (the registrar)" in text
    assert "rounds J-Credit certification rounds" in text
    retire = " ".join(help_of("credits", "retire").split())
    assert (
        "--certification INTEGER RANGE Retire certified credits from this certification round"
        in (retire)
    )
    export = " ".join(help_of("registry-export").split())
    assert "--scheme-symbol TEXT" in export and "not verified" in export
