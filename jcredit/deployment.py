"""The deployments file: which contracts a network uses. Read and written here only.

`deployments/<ecosystem>-<network>.json` = {"chain_id", "registry", "credit", "deployer", "block"};
`block` is the first block to scan for the contracts' events. `ape run deploy` writes it, every
other command reads it. The directory is `$JCREDIT_DEPLOYMENTS_DIR` when set (tests, parallel runs).
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
    registry: str
    credit: str
    deployer: str
    block: int


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
    except (ValueError, KeyError, TypeError) as exc:
        raise DeploymentError(
            f"{path}: not a deployments file ({exc}); rerun `ape run deploy`"
        ) from None


def write_deployment(provider: ProviderAPI, deployment: Deployment) -> Path:
    path = deployments_path(provider)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(asdict(deployment), indent=2) + "\n")
    return path


def is_live(deployment: Deployment) -> bool:
    """True when the connected chain is the deployment's and holds code at both addresses."""
    from ape import chain

    if deployment.chain_id != chain.chain_id:
        return False
    return all(
        chain.provider.get_code(address) for address in (deployment.registry, deployment.credit)
    )


def live_deployment(provider: ProviderAPI, path: Path | None = None) -> Deployment | None:
    """The deployment recorded for this network if its contracts are on this chain, else None."""
    path = path or deployments_path(provider)
    if not Path(path).is_file():
        return None
    deployment = read_deployment(path)
    return deployment if is_live(deployment) else None


def require_deployment(provider: ProviderAPI, path: Path | None = None) -> Deployment:
    """The deployment every command but `deploy` works on, or one clear error saying why not.

    The same message everywhere: a missing file, a file for another chain and a restarted devnet
    (the file is there, the contracts are not) all end with what to run.
    """
    path = Path(path or deployments_path(provider))
    deployment = live_deployment(provider, path)
    if deployment is None:
        label = network_label(provider)
        reason = "no such file" if not path.is_file() else "its contracts are not on this chain"
        raise DeploymentError(
            f"no deployment for {label} in {path} ({reason}): "
            f"run `ape run deploy --network {label}` first"
        )
    return deployment
