# pragma version ~=0.4.3
"""
@title Proofs against one member's result in a program report
@custom:contract-name MemberProofs
@license MIT
@notice Deployable of `member_proofs` (kinds 1, 4, 5, 6 of
        docs/programs.md): anyone proves a credited member's result in a
        pending program report wrong here; `Programs` then undoes the report
        and pays its bond to the prover. Stateless apart from the `Programs`
        contract (and its Registry) it is bound to.
"""

from .modules import member_proofs
from .modules import program_checks

initializes: program_checks
initializes: member_proofs[program_checks := program_checks]

exports: (
    program_checks.programs,
    program_checks.registry,
    member_proofs.KIND_MEMBER,
    member_proofs.KIND_LATER_READING,
    member_proofs.KIND_INTERVAL,
    member_proofs.KIND_CAP,
    member_proofs.member_problem,
    member_proofs.prove_member,
    member_proofs.prove_later_reading,
    member_proofs.prove_interval,
    member_proofs.prove_cap,
)


@deploy
def __init__(programs: address):
    """
    @notice Binds `Programs` (whose `registry()` signs the meters' domain).
    @param programs The Programs contract.
    """
    program_checks.__init__(programs)
    member_proofs.__init__()
