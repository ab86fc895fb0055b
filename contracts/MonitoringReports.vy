# pragma version ~=0.4.3
"""
@title Monitoring reports and oracle bonds
@custom:contract-name MonitoringReports
@license MIT
@notice Deployable that wires `monitoring_reports` (submit, challenge window,
        dispute, finalize and mint) and `oracle_bonds` (what a refuted
        oracle loses). Projects, meters, roles and factors are read from the
        Registry, which binds this contract once; CarbonCredit binds it as
        its only minter; the FraudProofs contract, through which anyone may
        prove a pending report wrong, is the only caller of `refute` and
        `slash`. Pause (PAUSER_ROLE on the Registry) stops reporting and
        minting; disputes, rejections and fraud proofs stay open.
"""

from snekmate.utils import pausable
from .modules import monitoring_reports
from .modules import oracle_bonds

initializes: pausable
initializes: oracle_bonds
initializes: monitoring_reports[pausable := pausable, oracle_bonds := oracle_bonds]

exports: (
    pausable.paused,
    oracle_bonds.UNBOND_DELAY,
    oracle_bonds.min_bond,
    oracle_bonds.post_bond,
    oracle_bonds.request_unbond,
    oracle_bonds.withdraw_bond,
    oracle_bonds.bond_of,
    oracle_bonds.is_bonded,
    oracle_bonds.is_slashed,
    monitoring_reports.MIN_CHALLENGE_WINDOW,
    monitoring_reports.MAX_CHALLENGE_WINDOW,
    monitoring_reports.DISPUTE_TIMEOUT,
    monitoring_reports.UNDONE_REJECTED,
    monitoring_reports.UNDONE_DISPUTE_EXPIRED,
    monitoring_reports.UNDONE_FRAUD_PROVEN,
    monitoring_reports.UNDONE_ORACLE_REFUTED,
    monitoring_reports.registry,
    monitoring_reports.credit,
    monitoring_reports.fraud_proofs,
    monitoring_reports.claimable,
    monitoring_reports.set_challenge_window,
    monitoring_reports.start_monitoring,
    monitoring_reports.submit_report,
    monitoring_reports.finalize,
    monitoring_reports.dispute,
    monitoring_reports.resolve_dispute,
    monitoring_reports.expire_dispute,
    monitoring_reports.refute,
    monitoring_reports.claim,
    monitoring_reports.pause,
    monitoring_reports.unpause,
    monitoring_reports.challenge_window,
    monitoring_reports.report_count,
    monitoring_reports.next_period_start,
    monitoring_reports.monitoring_epoch,
    monitoring_reports.last_reading,
    monitoring_reports.pending_report,
    monitoring_reports.carry_g,
)


@deploy
def __init__(registry: address, credit: address, fraud_proofs: address, min_bond: uint256):
    """
    @notice Binds the Registry, the credit token and the fraud proofs.
    @param registry The Registry (its admin then calls `bind_reports`).
    @param credit The CarbonCredit token (its admin then binds this contract).
    @param fraud_proofs The FraudProofs contract of the same Registry.
    @param min_bond Least bond an oracle keeps, in wei.
    """
    pausable.__init__()
    oracle_bonds.__init__(min_bond, registry)
    monitoring_reports.__init__(registry, credit, fraud_proofs)


@external
@nonreentrant
def slash(oracle: address, challenger: address) -> uint256:
    """
    @notice Pays a refuted oracle's whole bond to the challenger
            (FraudProofs only).
    @param oracle The oracle whose report was refuted.
    @param challenger Who proved the fraud.
    @return The amount paid.
    """
    assert msg.sender == monitoring_reports.fraud_proofs, "reports: caller is not fraud proofs"
    return oracle_bonds._slash(oracle, challenger)
