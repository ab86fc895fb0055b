"""The pinned toolchain is what every other test and script relies on."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import vyper

VENV_BIN = Path(sys.executable).parent


def test_vyper_compiler__is_the_pinned_one_on_path():
    # ape-vyper looks the compiler up with shutil.which; another vyper first on PATH would be used.
    assert vyper.__version__.startswith("0.4.3")
    assert Path(shutil.which("vyper")).parent == VENV_BIN


def test_anvil__is_the_npm_pinned_binary_on_path():
    anvil = shutil.which("anvil")
    assert anvil is not None, "anvil not on PATH: run through `make test`"
    assert "node_modules/@foundry-rs" in anvil
    out = subprocess.run([anvil, "--version"], capture_output=True, text=True, check=True).stdout
    assert "anvil Version: 1.7.1" in out


def test_ape_by_hand__prints_no_pydantic_warning():
    # What a user runs after the README's PATH recipe: no PYTHONWARNINGS, a compile from scratch.
    env = {key: value for key, value in os.environ.items() if key != "PYTHONWARNINGS"}
    root = Path(__file__).resolve().parents[1]
    result = subprocess.run(
        ["ape", "compile", "--force"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert "Warning" not in result.stderr, result.stderr
    assert "import_remapping" not in result.stdout + result.stderr
