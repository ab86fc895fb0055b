# pragma version ~=0.4.3
"""
@title Registry of solar J-Credit projects, meters, factors and reports
@custom:contract-name Registry
@license MIT
@notice Deployable that wires the modules together: two-step admin
        (snekmate `ownable_2step`, no renounce exported), roles, emergency
        pause, projects, meters, emission factors, EIP-712 meter signatures
        and monitoring reports, which mint credits on CarbonCredit (this
        contract needs MINTER_ROLE there). Pause stops reporting and minting
        (see `monitoring_reports`).
"""

from snekmate.auth import ownable
from snekmate.auth import ownable_2step
from snekmate.utils import pausable
from snekmate.utils import eip712_domain_separator
from .modules import roles
from .modules import emergency_pause
from .modules import project_registry
from .modules import meter_registry
from .modules import factor_table
from .modules import meter_signatures
from .modules import monitoring_reports

initializes: ownable
initializes: ownable_2step[ownable := ownable]
initializes: roles[ownable := ownable]
initializes: pausable
initializes: emergency_pause[pausable := pausable, roles := roles]
initializes: project_registry[ownable := ownable, roles := roles]
initializes: meter_registry[roles := roles, project_registry := project_registry]
initializes: factor_table[ownable := ownable]
initializes: eip712_domain_separator
initializes: meter_signatures[eip712_domain_separator := eip712_domain_separator]
initializes: monitoring_reports[
    ownable := ownable,
    pausable := pausable,
    roles := roles,
    project_registry := project_registry,
    meter_registry := meter_registry,
    factor_table := factor_table,
    meter_signatures := meter_signatures,
]

exports: (
    ownable.owner,
    ownable_2step.pending_owner,
    ownable_2step.transfer_ownership,
    ownable_2step.accept_ownership,
    roles.VALIDATOR_ROLE,
    roles.ORACLE_ROLE,
    roles.PAUSER_ROLE,
    roles.MINTER_ROLE,
    roles.has_role,
    roles.grant_role,
    roles.revoke_role,
    pausable.paused,
    emergency_pause.pause,
    emergency_pause.unpause,
    project_registry.project_count,
    project_registry.project_owner,
    project_registry.register_project,
    project_registry.approve_project,
    project_registry.reject_project,
    project_registry.suspend_project,
    project_registry.resume_project,
    project_registry.set_project_oracle,
    project_registry.projects,
    project_registry.next_period_start,
    meter_registry.kind_meter,
    meter_registry.register_meter,
    meter_registry.approve_meter,
    meter_registry.revoke_meter,
    meter_registry.meters,
    factor_table.set_emission_factor,
    factor_table.emission_factors,
    eip712_domain_separator.eip712Domain,
    meter_signatures.READING_BATCH_TYPEHASH,
    meter_signatures.domain_separator,
    meter_signatures.reading_digest,
    monitoring_reports.credit,
    monitoring_reports.challenge_window,
    monitoring_reports.report_count,
    monitoring_reports.set_challenge_window,
    monitoring_reports.start_monitoring,
    monitoring_reports.submit_report,
    monitoring_reports.finalize,
    monitoring_reports.dispute,
    monitoring_reports.resolve_dispute,
    monitoring_reports.pending_report,
    monitoring_reports.carry_g,
)


@deploy
def __init__(credit: address):
    """
    @notice The deployer becomes admin. Grant this contract MINTER_ROLE on
            `credit` afterwards.
    @param credit The CarbonCredit contract.
    """
    ownable.__init__()
    ownable_2step.__init__()
    roles.__init__()
    pausable.__init__()
    emergency_pause.__init__()
    project_registry.__init__()
    meter_registry.__init__()
    factor_table.__init__()
    eip712_domain_separator.__init__("SolarJCredit", "1")
    meter_signatures.__init__()
    monitoring_reports.__init__(credit)
