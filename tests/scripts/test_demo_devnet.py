"""`make demo` when its port is taken: by something that is not anvil, or by an anvil with another
mnemonic. jcredit.devnet (run by the Makefile before Ape connects) says so in one line and picks
a free port; `ape run demo` by hand on such an anvil refuses in one line."""

import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.anvil
ROOT = Path(__file__).resolve().parents[2]
OTHER_MNEMONIC = " ".join(["abandon"] * 11 + ["about"])


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def devnet_check(url: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "jcredit.devnet", url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def silent_listener():
    """A TCP port that accepts connections and never answers (like a stuck service)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    held = []

    def accept():
        while True:
            try:
                held.append(server.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    yield server.getsockname()[1]
    server.close()
    for conn in held:
        conn.close()


def start_anvil(*extra: str):
    port = free_port()
    process = subprocess.Popen(
        [shutil.which("anvil"), "--port", str(port), "--silent", *extra],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return process, port
        except OSError:
            assert time.monotonic() < deadline, "anvil did not start"
            time.sleep(0.2)


@pytest.fixture
def other_mnemonic_anvil():
    process, port = start_anvil("--mnemonic", OTHER_MNEMONIC)
    yield port
    process.terminate()
    process.wait(10)


@pytest.fixture
def devnet_anvil():
    process, port = start_anvil()
    yield port
    process.terminate()
    process.wait(10)


def test_devnet_check__port_taken_by_something_not_anvil__one_line_and_a_free_port(
    silent_listener,
):
    url = f"http://127.0.0.1:{silent_listener}"
    started = time.monotonic()
    done = devnet_check(url)
    assert done.returncode == 0, done.stderr
    assert time.monotonic() - started < 15  # not Ape's 20 s wait
    chosen = done.stdout.strip()
    assert chosen.startswith("http://127.0.0.1:") and chosen != url
    (line,) = done.stderr.strip().splitlines()
    assert line == (
        f"127.0.0.1:{silent_listener} is taken by something that is not anvil (no JSON-RPC "
        f"answer): the demo runs on a fresh anvil at {chosen} instead (stop that listener to use "
        "the default port)"
    )


def test_devnet_check__anvil_with_another_mnemonic__one_line_and_a_free_port(
    other_mnemonic_anvil,
):
    done = devnet_check(f"http://127.0.0.1:{other_mnemonic_anvil}")
    assert done.returncode == 0, done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith(
        f"the anvil on 127.0.0.1:{other_mnemonic_anvil} was started with another mnemonic (the "
        "devnet test account 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266 has no ether): the demo "
        "runs on a fresh anvil at http://127.0.0.1:"
    )
    assert done.stdout.strip() != f"http://127.0.0.1:{other_mnemonic_anvil}"


def test_devnet_check__devnet_anvil_or_free_port__used_as_it_is(devnet_anvil):
    for url in (f"http://127.0.0.1:{devnet_anvil}", f"http://127.0.0.1:{free_port()}"):
        done = devnet_check(url)
        assert (done.returncode, done.stdout.strip(), done.stderr) == (0, url, "")


def test_ape_run_demo__anvil_with_another_mnemonic__refused_in_one_line(
    other_mnemonic_anvil, tmp_path
):
    env = {
        **os.environ,
        "APE_FOUNDRY_HOST": f"http://127.0.0.1:{other_mnemonic_anvil}",
        "JCREDIT_DEPLOYMENTS_DIR": str(tmp_path / "deployments"),
        "JCREDIT_OUT_DIR": str(tmp_path / "out"),
    }
    done = subprocess.run(
        ["ape", "run", "demo", "--network", "ethereum:local:foundry"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stderr.strip().splitlines()[-1] == (
        "Error: the devnet of ethereum:local:foundry does not fund the test accounts of the "
        "mnemonic 'test test ... junk' (started with another --mnemonic?): stop it and start "
        "`anvil` without --mnemonic, or run `make demo`, which picks a free port"
    )
    assert "Traceback" not in done.stdout + done.stderr


def test_makefile__demo_checks_the_port_and_install_shows_progress(tmp_path):
    """What `make demo` runs on a fresh checkout (dry run: nothing is installed)."""
    done = subprocess.run(
        ["make", "-n", "demo", f"VENV={tmp_path}/venv", f"ANVIL_DIR={tmp_path}/anvil"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    commands = done.stdout
    assert "installing the pinned Python toolchain" in commands
    pip = next(line for line in commands.splitlines() if "pip install" in line)
    assert "--quiet" not in pip and "--progress-bar on" in pip
    assert f"host=$({tmp_path}/venv/bin/python -m jcredit.devnet)" in commands
    assert "APE_FOUNDRY_HOST=$host ape run demo --network ethereum:local:foundry" in commands
