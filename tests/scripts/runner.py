"""Load the Ape scripts the way `ape run NAME` does: from their file, not as an importable package.

`ape run` executes `scripts/NAME.py` with the project root on sys.path; here each file is loaded
once into a module object of its own, so tests drive the same click commands (and may patch a
script's module globals, e.g. the pause between two polls of `oracle follow`).
"""

import functools
import importlib.util
from pathlib import Path
from types import ModuleType

from click.testing import Result

SCRIPTS = Path(__file__).resolve().parents[2] / "scripts"
NETWORK = "ethereum:local:test"
# `project register` of the 49.5 kW plant the script tests report for: commissioned, applied and
# monitored from the start of FY2025.
REGISTER_PLANT = (
    "project",
    "register",
    "--capacity-w",
    "49500",
    "--commissioning-date",
    "2025-04-01",
    "--application-date",
    "2025-04-01",
)


@functools.cache
def script(name: str) -> ModuleType:
    """The loaded `scripts/<name>.py` (names may contain '-')."""
    path = SCRIPTS / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"ape_script_{name.replace('-', '_')}", path)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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
