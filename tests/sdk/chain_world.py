"""The SDK's test world on Ape's embedded chain (ethereum:local:test): the four contracts deployed
by `jcredit.deploy`, role-named actors, projects with test-only meter keys, and helpers that build
signed batches and reports the way an oracle must (carried start readings, Merkle proofs).

Numbers are hand-computed: April 2025 on a 10 kW plant, generation 2,439,134 - 1,204,567 =
1,234,567 Wh, export 322,778 - 88,211 = 234,567 Wh, self-consumed 1,000,000 Wh, reduction
1,000,000 x 434,000 / 1e6 = 434,000 g (0 t minted, 434,000 g carried).
"""

from dataclasses import dataclass, field

from eth_account import Account
from eth_account.signers.local import LocalAccount

from jcredit.connect import Platform, platform
from jcredit.deploy import DeployConfig, deploy_contracts
from jcredit.devnet import advance_time
from jcredit.eip712 import Batch, readings_hash, sign_batch, sign_registration
from jcredit.evidence import BoundaryReading
from jcredit.merkle import MerkleTree, leaf_hash
from jcredit.reports import ReportSubmission, Submitted
from jcredit.tx import Sender
from jcredit.types import MeterKind

GEN, EXP = MeterKind.GENERATION, MeterKind.EXPORT
APR = 1743433200  # 2025-04-01T00:00+09:00, start of FY2025
MAY = 1746025200  # 2025-05-01T00:00+09:00
JUN = 1748703600  # 2025-06-01T00:00+09:00
DAY = 86400
CAPACITY_W = 10_000
EXPIRY = 1964271600  # 2032-03-31T00:00+09:00
INTERVAL = 1800
WINDOW = 3600
MIN_BOND = 10**18
START = {GEN: 1_204_567, EXP: 88_211}
APRIL = {GEN: 2_439_134, EXP: 322_778}
APRIL_SC, APRIL_G = 1_000_000, 434_000
# May: +2,500,000 Wh generation, +500,000 Wh export: 2,000,000 Wh self-consumed, 868,000 g.
MAY_END = {GEN: 4_939_134, EXP: 822_778}
MAY_SC, MAY_G = 2_000_000, 868_000


def meter_key(n: int) -> LocalAccount:
    """A deterministic test-only meter key (never a real key)."""
    return Account.from_key((1000 + n).to_bytes(32, "big"))


@dataclass
class Project:
    project_id: int
    meters: dict[MeterKind, LocalAccount]
    owner: str


@dataclass
class SdkWorld:
    provider: object
    jc: Platform
    admin: Sender
    validator: Sender
    owner: Sender
    oracle: Sender
    buyer: Sender
    challenger: Sender
    chain_id: int
    projects: int = field(default=0)
    registrar: Sender | None = None

    # -- signing ---------------------------------------------------------------------------------
    def sign(self, project_id: int, meter: LocalAccount, readings: list[tuple[int, int]]) -> Batch:
        ts, wh = zip(*readings, strict=True)
        batch = Batch(meter.address, ts[0], ts[-1], wh[-1], readings_hash(ts, wh))
        return sign_batch(meter, project_id, batch, self.chain_id, self.jc.deployment.registry)

    def registration(self, project_id: int, meter: LocalAccount, owner: str, serial: str) -> bytes:
        return sign_registration(
            meter, project_id, owner, serial, self.chain_id, self.jc.deployment.registry
        )

    # -- projects ------------------------------------------------------------------------------
    def project(self, kinds: tuple[MeterKind, ...] = (GEN, EXP), oracle: bool = True) -> Project:
        """An approved project with approved meters (and, by default, the oracle assigned)."""
        registry = self.jc.registry
        project_id = registry.register_project(
            self.owner, CAPACITY_W, APR - DAY, APR, APR, "ipfs://site"
        )
        registry.set_project_status(self.validator, "approve", project_id)
        if oracle:
            registry.set_project_oracle(self.admin, project_id, self.oracle.address)
        meters = {}
        for kind in kinds:
            meter = meter_key(project_id * 16 + int(kind))
            serial = f"SN-{project_id}-{kind.label}"
            signature = self.registration(project_id, meter, self.owner.address, serial)
            registry.register_meter(
                self.owner, project_id, meter.address, kind, serial, EXPIRY, INTERVAL, signature
            )
            registry.approve_meter(self.validator, meter.address, EXPIRY)
            meters[kind] = meter
        return Project(project_id, meters, self.owner.address)

    def monitored(self, start: int = APR, **kw) -> Project:
        project = self.project(**kw)
        self.jc.reports.start_monitoring(self.oracle, project.project_id, start)
        return project

    # -- reports -------------------------------------------------------------------------------
    def submission(
        self,
        project: Project,
        end: int,
        boundary: list[Batch],
        self_consumed_wh: int,
        reduction_g: int,
        void: bool = False,
        extra: list[Batch] | None = None,
    ) -> ReportSubmission:
        """A report whose Merkle root commits the boundary batches (and `extra` ones)."""
        leaves = [leaf_hash(b) for b in [*boundary, *(extra or [])]]
        tree = MerkleTree.from_leaves(leaves)
        readings = tuple(BoundaryReading(b, tuple(tree.proof(leaf_hash(b)))) for b in boundary)
        return ReportSubmission(
            project.project_id,
            end,
            2025,
            readings,
            tree.root,
            "archive:test",
            self_consumed_wh,
            reduction_g,
            void,
        )

    def april(self, project: Project, **kw) -> Submitted:
        """April with both meters' start readings carried (the first report after the start)."""
        boundary = []
        for kind, meter in project.meters.items():
            boundary += [
                self.sign(project.project_id, meter, [(APR, START[kind])]),
                self.sign(project.project_id, meter, [(MAY, APRIL[kind])]),
            ]
        args = {"self_consumed_wh": APRIL_SC, "reduction_g": APRIL_G} | kw
        return self.jc.reports.submit_report(
            self.oracle, "April", self.submission(project, MAY, boundary, **args)
        )

    def may(self, project: Project) -> Submitted:
        """May from the baselines April left (end readings only)."""
        boundary = [
            self.sign(project.project_id, meter, [(JUN, MAY_END[kind])])
            for kind, meter in project.meters.items()
        ]
        return self.jc.reports.submit_report(
            self.oracle, "May", self.submission(project, JUN, boundary, MAY_SC, MAY_G)
        )

    def after_window(self) -> None:
        advance_time(self.provider, WINDOW + 1)


def build_world(provider, accounts) -> SdkWorld:
    from ape import chain

    admin, validator, owner, oracle, buyer, challenger, registrar = (
        Sender(account, provider, log=lambda line: None) for account in accounts[:7]
    )
    config = DeployConfig(
        validator.address,
        oracle.address,
        MIN_BOND,
        challenge_window=WINDOW,
        registrar=registrar.address,
    )
    deployment = deploy_contracts(provider, admin.account, config, bond_from=oracle.account)
    return SdkWorld(
        provider,
        platform(deployment),
        admin,
        validator,
        owner,
        oracle,
        buyer,
        challenger,
        chain.chain_id,
        registrar=registrar,
    )
