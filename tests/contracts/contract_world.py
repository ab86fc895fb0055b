"""Deployed test world for the contract tests: constants, role-named actors, helpers."""

from dataclasses import dataclass
from pathlib import Path

import boa

from tests.contracts.meter_signing import Domain, Meter

CONTRACTS = Path(__file__).resolve().parents[2] / "contracts"

# Japanese fiscal year 2025 = [2025-04-01T00:00+09:00, 2026-04-01T00:00+09:00), hand-converted.
FY2025_START = 1743433200
FY2025_END = 1774969200
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
ROOT = b"\x11" * 32

GENERATION, EXPORT, SELF_CONSUMPTION = 1, 2, 4
PENDING, APPROVED, REJECTED, SUSPENDED = 1, 2, 4, 8
METER_PENDING, METER_APPROVED, METER_REVOKED = 1, 2, 4


def meter_key(n: int) -> bytes:
    """A deterministic test-only meter private key (never a real key)."""
    return n.to_bytes(32, "big")


@dataclass
class Actors:
    admin: str
    validator: str
    oracle: str
    pauser: str
    owner: str
    holder: str
    buyer: str
    stranger: str


def deploy_world(registry_factory, credit_factory, actors: "Actors") -> "World":
    """Deploys CarbonCredit and Registry, grants the roles, sets the FY2025 factor."""
    with boa.env.prank(actors.admin):
        credit = credit_factory.deploy("https://credits.example/")
        registry = registry_factory.deploy(credit.address)
        credit.grant_role(credit.MINTER_ROLE(), registry.address)
        credit.grant_role(credit.PAUSER_ROLE(), actors.pauser)
        registry.grant_role(registry.VALIDATOR_ROLE(), actors.validator)
        registry.grant_role(registry.ORACLE_ROLE(), actors.oracle)
        registry.grant_role(registry.PAUSER_ROLE(), actors.pauser)
        registry.set_emission_factor(2025, FACTOR_2025, FY2025_START, FY2025_END)
    return World(registry, credit, actors, Domain(boa.env.evm.patch.chain_id, registry.address))


def make_actors() -> "Actors":
    """Role-named addresses."""
    return Actors(*(boa.env.generate_address(name) for name in Actors.__dataclass_fields__))


@dataclass
class World:
    """Deployed contracts with roles granted and the FY2025 factor set."""

    registry: object
    credit: object
    actors: Actors
    domain: Domain

    def register_project(
        self,
        capacity_w: int = CAPACITY_W,
        commissioning: int = FY2025_START - DAY,
        crediting_start: int = FY2025_START,
        crediting_end: int = FY2025_START + 5 * YEAR,
    ) -> int:
        with boa.env.prank(self.actors.owner):
            return self.registry.register_project(
                capacity_w, commissioning, crediting_start, crediting_end, "EN-R-002", "ipfs://p"
            )

    def approved_project(self, kinds: tuple[int, ...] = (GENERATION, EXPORT), **kw) -> tuple:
        """An approved project with its oracle and approved meters; returns (id, meters by kind)."""
        project_id = self.register_project(**kw)
        with boa.env.prank(self.actors.validator):
            self.registry.approve_project(project_id)
        with boa.env.prank(self.actors.admin):
            self.registry.set_project_oracle(project_id, self.actors.oracle)
        meters = {}
        for kind in kinds:
            meter = Meter(meter_key(project_id * 16 + kind))
            with boa.env.prank(self.actors.owner):
                self.registry.register_meter(
                    project_id, meter.address, kind, f"SN-{kind}", CERT_EXPIRY
                )
            with boa.env.prank(self.actors.validator):
                self.registry.approve_meter(meter.address)
            meters[kind] = meter
        return project_id, meters

    def monitored_project(
        self, baselines: dict[int, int] | None = None, start: int = FY2025_START, **kw
    ) -> tuple:
        """An approved project whose monitoring started at `start` with the given baselines."""
        project_id, meters = self.approved_project(**kw)
        baselines = baselines or dict.fromkeys(meters, 0)
        readings = [meters[k].reading(self.domain, project_id, start, baselines[k]) for k in meters]
        with boa.env.prank(self.actors.oracle):
            self.registry.start_monitoring(project_id, start, readings)
        return project_id, meters

    def submit(
        self,
        project_id: int,
        meters: dict,
        end: int,
        registers: dict[int, int],
        self_consumed_wh: int,
        reduction_g: int,
        fiscal_year: int = 2025,
        void: bool = False,
        sender: str | None = None,
    ) -> int:
        readings = [meters[k].reading(self.domain, project_id, end, registers[k]) for k in meters]
        with boa.env.prank(sender or self.actors.oracle):
            return self.registry.submit_report(
                project_id,
                end,
                fiscal_year,
                readings,
                ROOT,
                "ar://data",
                self_consumed_wh,
                reduction_g,
                void,
            )


def events(contract, name: str) -> list[dict]:
    """Decoded events called `name` of the contract's last call (including child calls)."""
    return [log._asdict() for log in contract.get_logs(strict=False) if type(log).__name__ == name]


def token_id(project_id: int, fiscal_year: int) -> int:
    """The documented token id encoding, written independently of the contract."""
    return project_id * 65536 + fiscal_year
