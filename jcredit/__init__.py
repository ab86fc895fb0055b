"""The Python SDK of the solar J-Credit contracts: the one client scripts, oracles and tests use.

- `jcredit.addresses`: the EIP-55 check of every address a person types.
- `jcredit.types`: roles, statuses, meter kinds, purposes, bounds and token ids, as the contracts
  have them; `jcredit.facts`: a report's facts (what finalize and the fraud proofs take back).
- `jcredit.eip712`, `jcredit.merkle`: the meter signatures (ReadingBatch, MeterRegistration) and
  the Merkle commitment formats; `jcredit.evidence`: boundary readings, batch data, intervals.
- `jcredit.deployment`: the deployments file, read and written here only; `jcredit.deploy`:
  deploy, wire, set up and launch the four contracts.
- `jcredit.tx`: dry run, send, retries and revert reasons of every transaction.
- `jcredit.registry`, `jcredit.reports`, `jcredit.fraud_proofs`, `jcredit.credits`: typed
  clients of Registry.vy, MonitoringReports.vy, FraudProofs.vy and CarbonCredit.vy;
  `jcredit.connect`: all four for the connected network; `jcredit.certifications`: J-Credit
  certification rounds (record, read, certified vs uncertified supply, retire from a round).
- `jcredit.history`: every event scan (transfers, reports and their facts, retirements,
  certification rounds, meters).
- `jcredit.documents`: monthly reports, retirement certificates, registry exports.
- `jcredit.devnet`: moving a local devnet's clock; which local port `make demo` can use.

Layering: scripts -> oracles -> jcredit -> methodology; nothing imports upward.
"""
