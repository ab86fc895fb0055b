"""Helpers the script tests share (a plain module: conftest.py is not importable by name)."""

import importlib
from types import ModuleType

from click.testing import Result

NETWORK = "ethereum:local:test"


def script(name: str) -> ModuleType:
    """The module `ape run NAME` loads (names may contain '-', hence import_module)."""
    return importlib.import_module(f"scripts.{name}")


def ok(result: Result) -> str:
    """The output of a command that must have succeeded (shows the error when it did not)."""
    assert result.exit_code == 0, f"exit {result.exit_code}: {result.output}\n{result.exception!r}"
    return result.output


def refused(result: Result) -> str:
    """The output of a command that must have failed with a clear message, not a traceback."""
    assert result.exit_code == 1, f"exit {result.exit_code}: {result.output}\n{result.exception!r}"
    # Ape may log its own lines first (e.g. that the embedded chain has no source traceback).
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("Error: "), result.output
    return last
