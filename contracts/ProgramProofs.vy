# pragma version ~=0.4.3
"""
@title Proofs against a program report's trees and enrollment
@custom:contract-name ProgramProofs
@license MIT
@notice Deployable of `program_proofs` (kinds 2, 3, 7, 8, 9 of
        docs/programs.md): anyone proves a pending program report's sum tree,
        member order or enrollment root wrong here; `Programs` then undoes
        the report (and, for 7-9, refutes the enrollment root) and pays its
        bond to the prover. Stateless apart from the `Programs` contract (and
        its Registry) it is bound to.
"""

from .modules import program_checks
from .modules import program_proofs

initializes: program_checks
initializes: program_proofs[program_checks := program_checks]

exports: (
    program_checks.programs,
    program_checks.registry,
    program_proofs.KIND_SUM,
    program_proofs.KIND_MEMBER_ORDER,
    program_proofs.KIND_ENROLLMENT_ORDER,
    program_proofs.KIND_ENROLLED_ELSEWHERE,
    program_proofs.KIND_SINGLE_SITE,
    program_proofs.prove_sum,
    program_proofs.prove_member_order,
    program_proofs.prove_enrollment_order,
    program_proofs.prove_enrolled_elsewhere,
    program_proofs.prove_single_site,
)


@deploy
def __init__(programs: address):
    """
    @notice Binds `Programs` (whose `registry()` holds the single-site meters).
    @param programs The Programs contract.
    """
    program_checks.__init__(programs)
    program_proofs.__init__()
