"""A real anvil devnet for the oracle tests: the contracts deployed, one simulated site registered.

Ape talks to anvil through a TCP proxy the tests can take down and bring back, to play an RPC
outage. Accounts are anvil's well-known devnet test accounts (public keys, never real funds).
"""

import contextlib
import json
import shutil
import socket
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from jcredit.deployment import Deployment
from jcredit.registry import RegistryClient
from jcredit.tx import Retry, Sender
from jcredit.types import MeterKind
from methodology.factors import load_factors
from methodology.fiscal import fiscal_year_bounds
from oracles.intake import check_signatures, load_source
from oracles.simulator import Plant, simulate_registers, write_site
from oracles.site import load_site
from oracles.submit import Oracle

APR_2025 = 1743433200  # 2025-04-01T00:00+09:00
MAY_2025 = 1746025200
JUN_2025 = 1748703600
JUL_2025 = 1751295600
PROJECT_SEED = 7


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Anvil:
    def __init__(self) -> None:
        binary = shutil.which("anvil")
        if binary is None:
            raise RuntimeError("anvil not on PATH: run through `make test`")
        self.port = free_port()
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--silent"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError("anvil did not start")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(10)


class Proxy:
    """TCP proxy 127.0.0.1:port -> anvil; `down()` refuses and cuts connections until `up()`."""

    def __init__(self, target_port: int) -> None:
        self.target = target_port
        self.port = free_port()
        self.lock = threading.Lock()
        self.connections: list[socket.socket] = []
        self.server: socket.socket | None = None
        self.up()

    def up(self) -> None:
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(16)
        self.server = server
        threading.Thread(target=self._accept, args=(server,), daemon=True).start()

    def down(self) -> None:
        server, self.server = self.server, None
        if server is not None:
            # shutdown() wakes the thread blocked in accept(); close() alone leaves it listening.
            with contextlib.suppress(OSError):
                server.shutdown(socket.SHUT_RDWR)
            server.close()
        with self.lock:
            for conn in self.connections:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
                conn.close()
            self.connections.clear()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target))
            with self.lock:
                self.connections += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.close()


@dataclass
class World:
    provider: object
    registry: object
    credit: object
    deployment: Deployment
    admin: object
    validator: object
    owner: object
    oracle: object
    site_path: Path
    plant: Plant
    proxy: Proxy

    def site(self):
        return load_site(self.site_path)

    def intake(self):
        site = self.site()
        readings, batches, raw = load_source(site)
        return check_signatures(
            site, readings, batches, self.deployment.chain_id, self.deployment.registry, raw
        )

    def rpc(self, method: str, params: list) -> object:
        return self.provider.web3.provider.make_request(method, params)

    def expected(self, start: int, end: int) -> tuple[int, int]:
        """(self-consumed Wh, reduction g) straight from the simulated registers."""
        ts, gen, exp = simulate_registers(self.plant, APR_2025, JUL_2025, seed=PROJECT_SEED)
        i, j = int(np.searchsorted(ts, start)), int(np.searchsorted(ts, end))
        assert ts[i] == start and ts[j] == end
        self_wh = int((gen[j] - gen[i]) - (exp[j] - exp[i]))
        return self_wh, self_wh * 434_000 // 1_000_000


def build_world(tmp: Path, provider, registry_type, credit_type, accounts, proxy) -> World:
    admin, validator, owner, oracle = accounts[0], accounts[1], accounts[2], accounts[3]
    first_block = provider.get_block("latest").number + 1
    credit = admin.deploy(credit_type, "https://example.invalid/{id}.json")
    registry = admin.deploy(registry_type, credit.address)
    credit.grant_role(credit.MINTER_ROLE(), registry.address, sender=admin)
    registry.grant_role(registry.VALIDATOR_ROLE(), validator.address, sender=admin)
    registry.grant_role(registry.ORACLE_ROLE(), oracle.address, sender=admin)
    factors = load_factors()
    start, end = fiscal_year_bounds(2025)
    registry.set_emission_factor(2025, factors.factor(2025), start, end, sender=admin)
    registry.set_challenge_window(0, sender=admin)
    deployment = Deployment(
        chain_id=provider.chain_manager.chain_id,
        registry=registry.address,
        credit=credit.address,
        deployer=admin.address,
        block=first_block,
    )
    plant = Plant()
    now = provider.get_block("latest").timestamp
    commissioning = min(APR_2025, now - 86400)
    registry.register_project(
        plant.capacity_w,
        commissioning,
        APR_2025,
        APR_2025 + 8 * 365 * 86400,
        "EN-R-002",
        "ipfs://site",
        sender=owner,
    )
    project_id = registry.project_count()
    registry.approve_project(project_id, sender=validator)
    registry.set_project_oracle(project_id, oracle.address, sender=admin)
    site_dir = tmp / "site"
    site_path = write_site(
        site_dir,
        project_id,
        deployment.chain_id,
        registry.address,
        APR_2025,
        JUL_2025,
        plant,
        seed=PROJECT_SEED,
    )
    for meter in json.loads(site_path.read_text())["meters"]:
        kind = MeterKind.from_name(meter["kind"])
        registry.register_meter(
            project_id, meter["address"], int(kind), meter["serial"], 2**40, sender=owner
        )
        registry.approve_meter(meter["address"], sender=validator)
    (tmp / "deployments.json").write_text(json.dumps(deployment.__dict__))
    return World(
        provider,
        registry,
        credit,
        deployment,
        admin,
        validator,
        owner,
        oracle,
        site_path,
        plant,
        proxy,
    )


FAST = Retry(attempts=4, first_delay=0.2, factor=2.0, max_delay=1.0)


class Crash(BaseException):
    """Stands in for the process dying at a given stage (not an Exception: nothing catches it)."""


def oracle(
    world: World,
    intake=None,
    factors=None,
    hook=None,
    retry: Retry = FAST,
    logs: list[str] | None = None,
    in_flight_timeout: float = 60.0,
) -> Oracle:
    """The world's site oracle; `hook(stage, value)` sees "built" (report) and "sent" (tx hash)."""
    log = logs.append if logs is not None else (lambda line: None)
    hook = hook or (lambda stage, value: None)
    sender = Sender(
        world.oracle,
        world.provider,
        retry=retry,
        log=log,
        hook=hook,
        in_flight_timeout=in_flight_timeout,
    )
    return Oracle(
        site=world.site(),
        intake=intake or world.intake(),
        registry=RegistryClient(world.registry),
        sender=sender,
        factors=factors or load_factors(),
        log=log,
        hook=hook,
    )


def started(world: World) -> Oracle:
    """The world's oracle after start_monitoring at 2025-04-01 JST."""
    feed = oracle(world)
    feed.start_monitoring(APR_2025)
    return feed
