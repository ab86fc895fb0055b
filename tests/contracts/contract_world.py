"""Deployed test world for the contract tests: constants, role-named actors, report helpers.

The platform is four contracts: Registry (projects, meters, roles, factors), FraudProofs,
CarbonCredit and MonitoringReports (reports, bonds). `World` deploys and wires them like the SDK's
deploy does and builds monitoring reports the way an oracle must: boundary readings signed by the
meters (independent EIP-712 encoder in meter_signing.py), committed in a Merkle root with proofs.
"""

from dataclasses import dataclass, field
from pathlib import Path

import boa
from eth_utils import keccak

from jcredit.merkle import MerkleTree
from methodology.fiscal import add_years
from tests.contracts.meter_signing import Domain, Meter

CONTRACTS = Path(__file__).resolve().parents[2] / "contracts"

# Japanese fiscal year 2025 = [2025-04-01T00:00+09:00, 2026-04-01T00:00+09:00), hand-converted.
FY2025_START = 1743433200
FY2025_END = 1774969200
# The scheme's end (exclusive): 2031-04-01T00:00+09:00, hand-converted.
SCHEME_END = 1932735600
CREDITING_YEARS = 8
MAY_2025 = 1746025200  # 2025-05-01T00:00+09:00
JUNE_2025 = 1748703600  # 2025-06-01T00:00+09:00
JULY_2025 = 1751295600  # 2025-07-01T00:00+09:00
DAY = 86400
YEAR = 365 * DAY
FACTOR_2025 = 434000  # g-CO2/MWh
# Block time of the test chain: after the periods the tests report, inside FY2025.
NOW = FY2025_START + 120 * DAY
CAPACITY_W = 10_000
CERT_EXPIRY = FY2025_START + 10 * YEAR
INTERVAL = 1800
WINDOW = DAY
MIN_BOND = 10**18
ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"

GENERATION, EXPORT, SELF_CONSUMPTION = 1, 2, 4
AUXILIARY, BATTERY_CHARGE, BATTERY_DISCHARGE = 8, 16, 32
KIND_SLOT = {
    GENERATION: 0,
    EXPORT: 1,
    SELF_CONSUMPTION: 2,
    AUXILIARY: 3,
    BATTERY_CHARGE: 4,
    BATTERY_DISCHARGE: 5,
}
PENDING, APPROVED, REJECTED, SUSPENDED = 1, 2, 4, 8
METER_PENDING, METER_APPROVED, METER_REVOKED = 1, 2, 4


def meter_key(n: int) -> bytes:
    """A deterministic test-only meter private key (never a real key)."""
    return n.to_bytes(32, "big")


@dataclass
class Actors:
    admin: str
    validator: str
    second_validator: str
    oracle: str
    pauser: str
    owner: str
    holder: str
    buyer: str
    challenger: str
    stranger: str
    registrar: str


@dataclass
class Factories:
    registry: object
    fraud_proofs: object
    credit: object
    reports: object


def make_actors() -> "Actors":
    """Role-named addresses."""
    return Actors(*(boa.env.generate_address(name) for name in Actors.__dataclass_fields__))


def load_factories() -> Factories:
    return Factories(
        *(
            boa.load_partial(str(CONTRACTS / f"{name}.vy"))
            for name in ("Registry", "FraudProofs", "CarbonCredit", "MonitoringReports")
        )
    )


def deploy_world(factories: Factories, actors: "Actors", launch: bool = True) -> "World":
    """Deploys and wires the four contracts, grants the roles (at once: before launch), sets the
    FY2025 factor and a one-day window, bonds the oracle, then launches."""
    with boa.env.prank(actors.admin):
        registry = factories.registry.deploy()
        proofs = factories.fraud_proofs.deploy(registry.address)
        credit = factories.credit.deploy("https://credits.example/")
        reports = factories.reports.deploy(
            registry.address, credit.address, proofs.address, MIN_BOND
        )
        registry.bind_reports(reports.address)
        credit.bind_registry(reports.address)
        credit.grant_role(credit.PAUSER_ROLE(), actors.pauser)
        for role, actor in (
            ("VALIDATOR_ROLE", actors.validator),
            ("VALIDATOR_ROLE", actors.second_validator),
            ("ORACLE_ROLE", actors.oracle),
            ("PAUSER_ROLE", actors.pauser),
            ("REGISTRAR_ROLE", actors.registrar),
        ):
            registry.grant_role(getattr(registry, role)(), actor)
        registry.set_emission_factor(2025, FACTOR_2025, FY2025_START, FY2025_END)
        reports.set_challenge_window(WINDOW)
        if launch:
            registry.launch()
            credit.launch()
    boa.env.set_balance(actors.oracle, 100 * MIN_BOND)
    with boa.env.prank(actors.oracle):
        reports.post_bond(value=MIN_BOND)
    return World(
        registry,
        proofs,
        credit,
        reports,
        actors,
        Domain(boa.env.evm.patch.chain_id, registry.address),
    )


def events(contract, name: str) -> list[dict]:
    """Decoded events called `name` of the contract's last call (including child calls)."""
    return [log._asdict() for log in contract.get_logs(strict=False) if type(log).__name__ == name]


def token_id(project_id: int, fiscal_year: int) -> int:
    """The documented token id encoding, written independently of the contract."""
    return project_id * 65536 + fiscal_year


@dataclass
class Project:
    """A project under test: its id, meters by kind, and the registers the next report starts at
    for meters whose start reading it must carry (after monitoring (re)started)."""

    project_id: int
    meters: dict[int, Meter]
    start: int = 0
    carried: dict[int, int] = field(default_factory=dict)  # kind -> start register


@dataclass
class Submission:
    """What `World.submit` sent and what the chain logged."""

    report_id: int
    facts: tuple
    readings: list
    root: bytes


@dataclass
class World:
    """Deployed contracts with roles granted, the FY2025 factor set and the oracle bonded."""

    registry: object
    proofs: object
    credit: object
    reports: object
    actors: Actors
    domain: Domain

    # -- projects and meters -------------------------------------------------------------------
    def register_project(
        self,
        capacity_w: int = CAPACITY_W,
        commissioning: int = FY2025_START - DAY,
        crediting_start: int = FY2025_START,
        crediting_end: int | None = None,
        owner: str | None = None,
    ) -> int:
        """A project applied for and monitored from `crediting_start` (its crediting end is then
        8 years later, capped by the scheme end). With `crediting_end`, a project registered 8
        years before that end instead (the chain's clock is set back for the registration), so
        that its crediting ends inside the test's time."""
        if crediting_end is None:
            with boa.env.prank(owner or self.actors.owner):
                return self.registry.register_project(
                    capacity_w,
                    commissioning,
                    crediting_start,
                    crediting_start,
                    "EN-R-002",
                    "ipfs://p",
                )
        start = add_years(crediting_end, -CREDITING_YEARS)
        assert add_years(start, CREDITING_YEARS) == crediting_end, (
            "pick an end 8 years after a start"
        )
        now = boa.env.timestamp
        boa.env.timestamp = start
        try:
            return self.register_project(capacity_w, start, start, owner=owner)
        finally:
            boa.env.timestamp = now

    def register_meter(
        self,
        project_id: int,
        meter: Meter,
        kind: int,
        serial: str | None = None,
        expiry: int = CERT_EXPIRY,
        interval: int = INTERVAL,
        owner: str | None = None,
    ) -> None:
        owner = owner or self.actors.owner
        serial = serial or f"SN-{meter.address[2:10]}"
        signature = meter.sign_registration(self.domain, project_id, owner, serial)
        with boa.env.prank(owner):
            self.registry.register_meter(
                project_id, meter.address, kind, serial, expiry, interval, signature
            )

    def approve_meter(self, meter: Meter, expiry: int = CERT_EXPIRY) -> None:
        with boa.env.prank(self.actors.validator):
            self.registry.approve_meter(meter.address, expiry)

    def approved_project(
        self, kinds: tuple[int, ...] = (GENERATION, EXPORT), battery: bool = False, **kw
    ) -> Project:
        """An approved project with its oracle and approved meters (`battery`: its owner
        declared a battery before the approval)."""
        project_id = self.register_project(**kw)
        if battery:
            with boa.env.prank(kw.get("owner") or self.actors.owner):
                self.registry.declare_battery(project_id)
        with boa.env.prank(self.actors.validator):
            self.registry.approve_project(project_id)
        with boa.env.prank(self.actors.admin):
            self.registry.set_project_oracle(project_id, self.actors.oracle)
        meters = {}
        for kind in kinds:
            meter = Meter(meter_key(project_id * 16 + kind))
            self.register_meter(project_id, meter, kind, serial=f"SN-{project_id}-{kind}")
            self.approve_meter(meter)
            meters[kind] = meter
        return Project(project_id, meters)

    def monitored_project(
        self, baselines: dict[int, int] | None = None, start: int = FY2025_START, **kw
    ) -> Project:
        """An approved project whose monitoring started at `start`; its first report carries
        each meter's start reading at `start` with the given registers (default 0)."""
        project = self.approved_project(**kw)
        with boa.env.prank(self.actors.oracle):
            self.reports.start_monitoring(project.project_id, start)
        project.start = start
        project.carried = {k: (baselines or {}).get(k, 0) for k in project.meters}
        return project

    # -- reports -------------------------------------------------------------------------------
    def boundary_readings(
        self,
        project: Project,
        end: int,
        registers: dict[int, int],
        end_timestamps: dict[int, int] | None = None,
        extra_leaves: list[bytes] | None = None,
    ) -> tuple[list, bytes]:
        """The report's readings (start readings first for meters whose start it carries) as
        single-reading signed batches, with Merkle proofs into a root over them."""
        batches = []
        for kind, meter in project.meters.items():
            if kind in project.carried:
                batches.append(
                    meter.sign_batch(
                        self.domain, project.project_id, [(project.start, project.carried[kind])]
                    )
                )
            ts = (end_timestamps or {}).get(kind, end)
            batches.append(
                meter.sign_batch(self.domain, project.project_id, [(ts, registers[kind])])
            )
        leaves = [leaf_of(b) for b in batches] + list(extra_leaves or [])
        tree = MerkleTree.from_leaves(leaves)
        return [(b, tree.proof(leaf_of(b))) for b in batches], tree.root

    def submit(
        self,
        project: Project,
        end: int,
        registers: dict[int, int],
        self_consumed_wh: int,
        reduction_g: int,
        fiscal_year: int = 2025,
        void: bool = False,
        sender: str | None = None,
        readings: list | None = None,
        root: bytes | None = None,
    ) -> Submission:
        """Submits a report and, once accepted, moves the project's state forward (no carried
        starts any more, the next period starts at `end`)."""
        if readings is None:
            readings, root = self.boundary_readings(project, end, registers)
        with boa.env.prank(sender or self.actors.oracle):
            report_id = self.reports.submit_report(
                project.project_id,
                end,
                fiscal_year,
                readings,
                root,
                "ar://data",
                self_consumed_wh,
                reduction_g,
                void,
            )
        (logged,) = events(self.reports, "ReportSubmitted")
        project.carried = {}
        project.start = end
        return Submission(report_id, logged["facts"], readings, root)

    def finalize(self, submission: Submission, sender: str | None = None) -> None:
        boa.env.time_travel(seconds=WINDOW)
        with boa.env.prank(sender or self.actors.stranger):
            self.reports.finalize(submission.facts)


def leaf_of(signed_reading: tuple) -> bytes:
    """The Merkle leaf of a SignedReading (meter, first, last, last_wh, readings_hash, sig)."""
    meter, first, last, last_wh, rhash, _ = signed_reading
    encoded = (
        bytes(12)
        + bytes.fromhex(meter[2:])
        + first.to_bytes(32, "big")
        + last.to_bytes(32, "big")
        + last_wh.to_bytes(32, "big")
        + rhash
    )
    return keccak(keccak(encoded))
