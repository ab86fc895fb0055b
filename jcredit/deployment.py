"""The deployments file: which contracts a network uses. Read and written here only.

`deployments/<ecosystem>-<network>.json` = {"chain_id", "registry", "reports", "fraud_proofs",
"credit", "deployer", "block"}; `block` is the first block to scan for the contracts' events.
`ape run deploy` writes it, every other command reads it. The directory is
`$JCREDIT_DEPLOYMENTS_DIR` when set (tests, parallel runs).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from jcredit.errors import DeploymentError

if TYPE_CHECKING:
    from ape.api import ProviderAPI

DEPLOYMENTS_DIR_ENV = "JCREDIT_DEPLOYMENTS_DIR"


@dataclass(frozen=True)
class Deployment:
    chain_id: int
    registry: str  # Registry.vy: roles, projects, meters, factors, the EIP-712 domain
    reports: str  # MonitoringReports.vy: reports, challenge window, bonds, finalization
    fraud_proofs: str  # FraudProofs.vy: proofs against pending reports, recorded violations
    credit: str  # CarbonCredit.vy: the ERC-1155 credits
    deployer: str
    block: int

    def addresses(self) -> dict[str, str]:
        """Contract name -> address."""
        return {
            "Registry": self.registry,
            "MonitoringReports": self.reports,
            "FraudProofs": self.fraud_proofs,
            "CarbonCredit": self.credit,
        }


def network_label(provider: ProviderAPI) -> str:
    """`ecosystem:network:provider`, as `--network` takes it."""
    network = provider.network
    return f"{network.ecosystem.name}:{network.name}:{provider.name}"


def deployments_path(provider: ProviderAPI) -> Path:
    network = provider.network
    directory = Path(os.environ.get(DEPLOYMENTS_DIR_ENV, "deployments"))
    return directory / f"{network.ecosystem.name}-{network.name}.json"


def read_deployment(path: Path) -> Deployment:
    """The deployment recorded in `path`; DeploymentError when it is missing or malformed."""
    try:
        data = json.loads(Path(path).read_text())
        return Deployment(**{key: data[key] for key in Deployment.__dataclass_fields__})
    except FileNotFoundError:
        raise DeploymentError(
            f"no deployment in {path} (no such file): run `ape run deploy` first"
        ) from None
    except KeyError as exc:
        # A file of the two-contract platform has no reports or fraud_proofs address.
        raise DeploymentError(
            f"{path}: not a deployments file of this platform (no {exc} address); "
            "rerun `ape run deploy`"
        ) from None
    except (ValueError, TypeError) as exc:
        raise DeploymentError(
            f"{path}: not a deployments file ({exc}); rerun `ape run deploy`"
        ) from None


def write_deployment(provider: ProviderAPI, deployment: Deployment) -> Path:
    path = deployments_path(provider)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(asdict(deployment), indent=2) + "\n")
    return path


def is_live(deployment: Deployment) -> bool:
    """True when the connected chain is the deployment's and holds code at every address."""
    from ape import chain

    if deployment.chain_id != chain.chain_id:
        return False
    return all(chain.provider.get_code(address) for address in deployment.addresses().values())


def live_deployment(provider: ProviderAPI, path: Path | None = None) -> Deployment | None:
    """The deployment recorded for this network if its contracts are on this chain, else None."""
    path = path or deployments_path(provider)
    if not Path(path).is_file():
        return None
    if _is_older_platform(Path(path)):
        return None  # nothing of this platform is deployed: `deploy` may replace the file
    deployment = read_deployment(path)
    return deployment if is_live(deployment) else None


def _is_older_platform(path: Path) -> bool:
    """A file the two-contract platform wrote: a Registry and no MonitoringReports address.

    Only such a file is silently replaced by a new deployment; a malformed one is an error, so a
    real network's record is never overwritten by accident."""
    try:
        data = json.loads(path.read_text())
    except ValueError:
        return False
    return isinstance(data, dict) and "registry" in data and "reports" not in data


def require_deployment(provider: ProviderAPI, path: Path | None = None) -> Deployment:
    """The deployment every command but `deploy` works on, or one clear error saying why not.

    The same message everywhere: a missing file, a file for another chain and a restarted devnet
    (the file is there, the contracts are not) all end with what to run.
    """
    path = Path(path or deployments_path(provider))
    deployment = live_deployment(provider, path)
    if deployment is None:
        label = network_label(provider)
        if not path.is_file():
            reason = "no such file"
        else:
            if _is_older_platform(path):
                reason = "it records a deployment of the older two-contract platform"
            else:
                reason = "its contracts are not on this chain"
        raise DeploymentError(
            f"no deployment for {label} in {path} ({reason}): "
            f"run `ape run deploy --network {label}` first"
        )
    return deployment
