"""Program-type projects on top of a platform deployment: deploy, record, find again.

Programs are an add-on: `Programs(registry, min_report_bond, demand_bond)` reads roles, the
emission factors and the EIP-712 domain from the platform's Registry, and mints into a CarbonCredit
of its own (a second deployment of the same contract, bound to Programs as its only minter), so
program tokens `(program_id << 16) | fiscal_year` never meet single-site tokens. The record is
`deployments/<ecosystem>-<network>-programs.json`, next to the platform's.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from jcredit.deployment import Deployment, deployments_path, network_label
from jcredit.errors import ChainError, DeploymentError, InputError
from jcredit.tx import Sender, revert_reason

if TYPE_CHECKING:
    from ape.api import AccountAPI, ProviderAPI


@dataclass(frozen=True)
class ProgramDeployment:
    chain_id: int
    registry: str  # the platform's Registry these programs read roles and factors from
    programs: str  # Programs.vy: programs, enrollment roots, monthly reports, data demands
    member_proofs: str  # MemberProofs.vy: proofs about one member's result
    program_proofs: str  # ProgramProofs.vy: sums, order, enrollment proofs
    credit: str  # the programs' own CarbonCredit
    deployer: str
    block: int

    def addresses(self) -> dict[str, str]:
        return {
            "Programs": self.programs,
            "MemberProofs": self.member_proofs,
            "ProgramProofs": self.program_proofs,
            "CarbonCredit (programs)": self.credit,
        }


@dataclass(frozen=True)
class ProgramDeployConfig:
    min_report_bond: int  # wei an oracle stakes with each program report
    demand_bond: int  # wei a data demand stakes (paid to whoever answers it)
    base_uri: str = ""


def programs_path(provider: ProviderAPI) -> Path:
    platform_path = deployments_path(provider)
    return platform_path.with_name(platform_path.stem + "-programs.json")


def read_program_deployment(path: Path) -> ProgramDeployment:
    try:
        data = json.loads(Path(path).read_text())
        return ProgramDeployment(
            **{key: data[key] for key in ProgramDeployment.__dataclass_fields__}
        )
    except FileNotFoundError:
        raise DeploymentError(
            f"no program deployment in {path} (no such file): run `ape run program deploy` first"
        ) from None
    except (KeyError, ValueError, TypeError) as exc:
        raise DeploymentError(
            f"{path}: not a program deployments file ({exc}); rerun `ape run program deploy`"
        ) from None


def live_program_deployment(
    provider: ProviderAPI, platform: Deployment, path: Path | None = None
) -> ProgramDeployment | None:
    """The recorded program deployment when it belongs to this platform and is on this chain."""
    from ape import chain

    path = Path(path or programs_path(provider))
    if not path.is_file():
        return None
    record = read_program_deployment(path)
    if record.chain_id != chain.chain_id or record.registry != platform.registry:
        return None
    if not all(chain.provider.get_code(address) for address in record.addresses().values()):
        return None
    return record


def require_program_deployment(
    provider: ProviderAPI, platform: Deployment, path: Path | None = None
) -> ProgramDeployment:
    record = live_program_deployment(provider, platform, path)
    if record is None:
        label = network_label(provider)
        raise DeploymentError(
            f"no program deployment for the platform at {platform.registry} on {label} in "
            f"{path or programs_path(provider)}: run `ape run program deploy --network {label}`"
        )
    return record


def deploy_programs(
    provider: ProviderAPI,
    admin: AccountAPI,
    platform: Deployment,
    config: ProgramDeployConfig,
    log: Callable[[str], None] = lambda line: None,
) -> ProgramDeployment:
    """Deploy Programs, its two proof contracts and its CarbonCredit, bind them and launch the
    CarbonCredit; `admin` must be the Registry's owner (it binds Programs)."""
    from ape import chain, project
    from ape.exceptions import ApeException

    if config.min_report_bond <= 0 or config.demand_bond <= 0:
        raise InputError(
            f"bonds: report bond {config.min_report_bond} wei, demand bond "
            f"{config.demand_bond} wei; both must be positive"
        )
    first_block = chain.blocks.height + 1
    sender = Sender(admin, provider, log=log)
    action = "deploying Programs"
    try:
        programs = admin.deploy(
            project.Programs, platform.registry, config.min_report_bond, config.demand_bond
        )
        action = "deploying MemberProofs"
        member_proofs = admin.deploy(project.MemberProofs, programs.address)
        action = "deploying ProgramProofs"
        program_proofs = admin.deploy(project.ProgramProofs, programs.address)
        action = "deploying the programs' CarbonCredit"
        credit = admin.deploy(project.CarbonCredit, config.base_uri)
    except ApeException as exc:
        raise ChainError(f"{action} refused: {revert_reason(exc)}") from None
    sender.send(
        "binding the programs' credit and proof contracts",
        programs.bind,
        credit.address,
        member_proofs.address,
        program_proofs.address,
    )
    sender.send("binding the programs' CarbonCredit minter", credit.bind_registry, programs.address)
    sender.send("launching the programs' CarbonCredit", credit.launch)
    return ProgramDeployment(
        chain_id=chain.chain_id,
        registry=platform.registry,
        programs=programs.address,
        member_proofs=member_proofs.address,
        program_proofs=program_proofs.address,
        credit=credit.address,
        deployer=admin.address,
        block=first_block,
    )


def deploy_or_reuse_programs(
    provider: ProviderAPI,
    admin: AccountAPI,
    platform: Deployment,
    config: ProgramDeployConfig,
    force: bool = False,
    log: Callable[[str], None] = lambda line: None,
) -> tuple[ProgramDeployment, bool]:
    """(deployment, is_new): the recorded one when it is live, else a new one, recorded only once
    everything is bound."""
    existing = live_program_deployment(provider, platform)
    if existing is not None and not force:
        return existing, False
    record = deploy_programs(provider, admin, platform, config, log=log)
    path = programs_path(provider)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(asdict(record), indent=2) + "\n")
    return record, True
