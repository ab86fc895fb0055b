# pragma version ~=0.4.3
"""
@title Program-type projects: programs, enrollment roots, monthly reports
@custom:contract-name Programs
@license MIT
@notice Deployable that wires `program_registry` (programs, enrollment
        roots, oracle and payout, admin) and `program_reports` (O(1)
        monthly reports over a Merkle-sum tree of member results, data
        demands, refutation by the bound proof contracts, finalization and
        minting) (docs/programs.md). Roles are the Registry's; its admin
        binds the program CarbonCredit (which binds this contract as its
        only minter) and the MemberProofs and ProgramProofs contracts once.
        Pause (PAUSER_ROLE on the Registry) stops submitting and
        finalizing; proofs, demands, answers and expiries stay open.
"""

from snekmate.utils import pausable
from .modules import program_registry
from .modules import program_reports

initializes: pausable
initializes: program_registry[pausable := pausable]
initializes: program_reports[pausable := pausable, program_registry := program_registry]

exports: (
    pausable.paused,
    program_registry.PROGRAM_PROPOSED,
    program_registry.PROGRAM_APPROVED,
    program_registry.PROGRAM_REJECTED,
    program_registry.ENROLLMENT_PROPOSED,
    program_registry.ENROLLMENT_APPROVED,
    program_registry.ENROLLMENT_REJECTED,
    program_registry.ENROLLMENT_REFUTED,
    program_registry.MIN_CHALLENGE_WINDOW,
    program_registry.MAX_CHALLENGE_WINDOW,
    program_registry.MAX_CAP_T_PER_YEAR,
    program_registry.MAX_ENROLLMENT_COUNT,
    program_registry.program_count,
    program_registry.member_proofs,
    program_registry.program_proofs,
    program_registry.is_slashed,
    program_registry.bind,
    program_registry.set_challenge_window,
    program_registry.pause,
    program_registry.unpause,
    program_registry.create_program,
    program_registry.approve_program,
    program_registry.reject_program,
    program_registry.set_program_oracle,
    program_registry.set_payout,
    program_registry.propose_enrollment,
    program_registry.approve_enrollment,
    program_registry.reject_enrollment,
    program_registry.registry,
    program_registry.credit,
    program_registry.challenge_window,
    program_registry.report_count,
    program_registry.enrollments,
    program_registry.program,
    program_reports.RESPONSE_SECONDS,
    program_reports.UNDONE_FRAUD_PROVEN,
    program_reports.UNDONE_DATA_WITHHELD,
    program_reports.DEMAND_OPEN,
    program_reports.DEMAND_ANSWERED,
    program_reports.DEMAND_EXPIRED,
    program_reports.DEMAND_RECLAIMED,
    program_reports.MAX_PROOF_KIND,
    program_reports.MIN_REPORT_BOND,
    program_reports.DEMAND_BOND,
    program_reports.owed,
    program_reports.submit_report,
    program_reports.finalize,
    program_reports.demand_member,
    program_reports.respond,
    program_reports.expire_demand,
    program_reports.reclaim_demand,
    program_reports.refute,
    program_reports.withdraw,
    program_reports.check_pending,
    program_reports.finalized_report,
    program_reports.pending_report,
    program_reports.open_demands,
    program_reports.demands,
    program_reports.carry_g,
)


@deploy
def __init__(registry: address, min_report_bond: uint256, demand_bond: uint256):
    """
    @notice Binds the Registry and sets the bonds; the admin then `bind`s the
            program CarbonCredit and the proof contracts.
    @param registry The Registry (roles, admin, emission factors).
    @param min_report_bond Least bond of a report, in wei.
    @param demand_bond Bond of a data demand, in wei.
    """
    pausable.__init__()
    program_registry.__init__(registry)
    program_reports.__init__(min_report_bond, demand_bond)
