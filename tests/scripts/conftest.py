"""Script tests on Ape's embedded chain (ethereum:local:test), driven through click."""

import os
from collections.abc import Iterator

import pytest
from click.testing import CliRunner, Result

from tests.scripts.runner import NETWORK, script


@pytest.fixture(scope="module")
def deployments_dir(tmp_path_factory) -> Iterator:
    """Keep each module's deployments file and outputs out of the checkout (and the env clean)."""
    path = tmp_path_factory.mktemp("deployments")
    out = tmp_path_factory.mktemp("out")
    saved = {key: os.environ.get(key) for key in ("JCREDIT_DEPLOYMENTS_DIR", "JCREDIT_OUT_DIR")}
    os.environ["JCREDIT_DEPLOYMENTS_DIR"] = str(path)
    os.environ["JCREDIT_OUT_DIR"] = str(out)
    yield path
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="module")
def provider(deployments_dir):
    from ape import networks

    with networks.parse_network_choice(NETWORK) as connected:
        yield connected


@pytest.fixture(scope="module")
def run(provider):
    """run(script, *args) -> click Result, on the embedded network."""
    runner = CliRunner()

    def invoke(name: str, *args: str) -> Result:
        return runner.invoke(script(name).cli, [*args, "--network", NETWORK])

    return invoke
