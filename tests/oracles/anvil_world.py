"""A real anvil devnet for the oracle tests: the four contracts deployed by the SDK with a
one-hour challenge window, one simulated site registered with its meters' own signatures.

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
import pandas as pd

from jcredit.connect import Platform, platform
from jcredit.deploy import DeployConfig, deploy_contracts
from jcredit.deployment import Deployment
from jcredit.devnet import advance_time
from jcredit.tx import Retry, Sender
from jcredit.types import MeterKind
from methodology.factors import load_factors
from oracles.adapters.csv import write_signatures
from oracles.archive import iso_jst
from oracles.intake import check_signatures, load_source
from oracles.simulator import (
    Plant,
    SimulatedMeter,
    simulate_meters,
    simulate_registers,
    write_site,
)
from oracles.site import load_site
from oracles.submit import Oracle, PushResult

APR_2025 = 1743433200  # 2025-04-01T00:00+09:00
MAY_2025 = 1746025200
JUN_2025 = 1748703600
JUL_2025 = 1751295600
PROJECT_SEED = 7
WINDOW = 3600
MIN_BOND = 10**18
EXPIRY = 1964271600  # 2032-03-31T00:00+09:00


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
            # Small JSON-RPC messages would otherwise wait on delayed ACKs (~40 ms each).
            for conn in (client, upstream):
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
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
    jc: Platform
    admin: object
    validator: object
    owner: object
    oracle: object
    site_path: Path
    plant: Plant
    proxy: Proxy

    @property
    def deployment(self) -> Deployment:
        return self.jc.deployment

    @property
    def reports(self):
        """The MonitoringReports contract (Ape instance)."""
        return self.jc.reports.contract

    @property
    def credit(self):
        return self.jc.credit.contract

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

    def advance(self, seconds: int = WINDOW + 1) -> None:
        """Move anvil's clock (by default past a report's challenge window)."""
        advance_time(self.provider, seconds)

    def expected(self, start: int, end: int) -> tuple[int, int]:
        """(self-consumed Wh, reduction g) straight from the simulated registers."""
        ts, gen, exp = simulate_registers(self.plant, APR_2025, JUL_2025, seed=PROJECT_SEED)
        i, j = int(np.searchsorted(ts, start)), int(np.searchsorted(ts, end))
        assert ts[i] == start and ts[j] == end
        self_wh = int((gen[j] - gen[i]) - (exp[j] - exp[i]))
        return self_wh, self_wh * 434_000 // 1_000_000

    def simulated_meters(self) -> list[SimulatedMeter]:
        """The site's simulated meters, keys rebuilt from the simulator's public seed."""
        pid = self.site().project_id
        return [
            SimulatedMeter.from_seed(f"sim-{PROJECT_SEED}-{pid}", m.serial, m.kind)
            for m in self.site().meters
        ]

    def rewrite_site(self, change) -> None:
        """Re-sign the site's readings after `change(kind, ts, wh) -> wh` (as the meters would
        have signed the changed data) and rewrite its readings and signatures files."""
        site = self.site()
        ts, by_kind = simulate_meters(self.plant, APR_2025, JUL_2025, seed=PROJECT_SEED)
        frames, batches = [], []
        for meter in self.simulated_meters():
            registers = change(meter.kind, ts, by_kind[meter.kind].copy())
            frames.append(
                pd.DataFrame(
                    {
                        "timestamp": iso_jst(ts),
                        "meter": meter.serial,
                        "kind": meter.kind,
                        "cumulative_wh": registers,
                    }
                )
            )
            batches += meter.sign_days(
                site.project_id, self.deployment.chain_id, self.deployment.registry, ts, registers
            )
        pd.concat(frames).to_csv(site.resolve(site.source["readings"]), index=False)
        write_signatures(site.resolve(site.source["signatures"]), batches)


def build_world(tmp: Path, provider, accounts, proxy) -> World:
    """The four contracts deployed and launched by the SDK (one-hour window, the oracle bonded),
    and an approved project whose two simulated meters are registered with their own signatures
    and approved."""
    admin, validator, owner, oracle = (
        Sender(account, provider, log=lambda line: None) for account in accounts[:4]
    )
    config = DeployConfig(validator.address, oracle.address, MIN_BOND, challenge_window=WINDOW)
    deployment = deploy_contracts(provider, admin.account, config, bond_from=oracle.account)
    jc = platform(deployment)
    plant = Plant()
    now = provider.get_block("latest").timestamp
    commissioning = min(APR_2025, now - 86400)
    project_id = jc.registry.register_project(
        owner, plant.capacity_w, commissioning, APR_2025, APR_2025, "ipfs://site"
    )
    jc.registry.set_project_status(validator, "approve", project_id)
    jc.registry.set_project_oracle(admin, project_id, oracle.address)
    site_path = write_site(
        tmp / "site",
        project_id,
        deployment.chain_id,
        deployment.registry,
        APR_2025,
        JUL_2025,
        plant,
        seed=PROJECT_SEED,
        owner=owner.address,
    )
    for meter in load_site(site_path).meters:
        jc.registry.register_meter(
            owner,
            project_id,
            meter.address,
            MeterKind.from_name(meter.kind),
            meter.serial,
            EXPIRY,
            meter.interval_seconds,
            meter.registration_signature,
        )
        jc.registry.approve_meter(validator, meter.address, EXPIRY)
    (tmp / "deployments.json").write_text(json.dumps(deployment.__dict__))
    return World(
        provider,
        jc,
        admin.account,
        validator.account,
        owner.account,
        oracle.account,
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
        platform=world.jc,
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


def push_all(world: World, **kw) -> list[PushResult]:
    """Push until up to date, moving anvil's clock past each new report's window (as an operator
    reruns push once the window has passed); each push's result."""
    results = []
    while True:
        result = oracle(world, **kw).push()
        results.append(result)
        if not result.stopped:
            return results
        assert "challenge window" in result.stopped, result.stopped
        world.advance()
