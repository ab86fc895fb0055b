"""The clients of the deployment on the connected network, in one call."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from jcredit.certifications import CertificationClient
from jcredit.credits import CreditClient
from jcredit.deployment import Deployment, require_deployment
from jcredit.fraud_proofs import FraudProofsClient
from jcredit.registry import RegistryClient
from jcredit.reports import ReportsClient

if TYPE_CHECKING:
    from ape.api import ProviderAPI


@dataclass(frozen=True)
class Platform:
    """A deployment and the clients of its four contracts."""

    deployment: Deployment
    registry: RegistryClient
    reports: ReportsClient
    fraud_proofs: FraudProofsClient
    credit: CreditClient
    certifications: CertificationClient


def platform(deployment: Deployment) -> Platform:
    """Clients of a known deployment (its contracts must be on the connected chain)."""
    from ape import project

    reports = ReportsClient(
        project.MonitoringReports.at(deployment.reports), start_block=deployment.block
    )
    registry = project.Registry.at(deployment.registry)
    credit = project.CarbonCredit.at(deployment.credit)
    return Platform(
        deployment=deployment,
        registry=RegistryClient(registry, reports),
        reports=reports,
        fraud_proofs=FraudProofsClient(project.FraudProofs.at(deployment.fraud_proofs)),
        credit=CreditClient(credit),
        certifications=CertificationClient(
            credit, registry, reports.contract, start_block=deployment.block
        ),
    )


def connect(provider: ProviderAPI, deployments_file: Path | None = None) -> Platform:
    """The platform recorded for this network; DeploymentError when its contracts are not here."""
    return platform(require_deployment(provider, deployments_file))
