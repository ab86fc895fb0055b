# pragma version ~=0.4.3
"""
@title Fraud proofs against pending monitoring reports
@custom:contract-name FraudProofs
@license MIT
@notice Deployable of the `fraud_proofs` module: anyone proves a pending
        report wrong here; the reports contract then undoes it and pays the
        submitting oracle's bond to the challenger. Stateless apart from the
        Registry it is bound to.
"""

from .modules import fraud_proofs

initializes: fraud_proofs

exports: (
    fraud_proofs.FRAUD_LATER_END_READING,
    fraud_proofs.FRAUD_LATER_START_READING,
    fraud_proofs.FRAUD_INTERVAL_ABOVE_CAPACITY,
    fraud_proofs.FRAUD_COMMITTED_MISMATCH,
    fraud_proofs.FRAUD_COMMITTED_CONFLICT,
    fraud_proofs.registry,
    fraud_proofs.record_violation,
    fraud_proofs.violation_within,
    fraud_proofs.prove_later_reading,
    fraud_proofs.prove_interval,
    fraud_proofs.prove_committed_mismatch,
    fraud_proofs.prove_committed_conflict,
)


@deploy
def __init__(registry: address):
    """
    @notice Binds the Registry (whose `reports()` is the reports contract).
    @param registry The Registry.
    """
    fraud_proofs.__init__(registry)
