"""The Python SDK of the solar J-Credit contracts: the one client scripts, oracles and tests use.

- `jcredit.addresses`: the EIP-55 check of every address a person types.
- `jcredit.types`: roles, statuses, meter kinds, purposes and token ids, as the contracts have them.
- `jcredit.eip712`, `jcredit.merkle`: the meter signature and the Merkle commitment formats.
- `jcredit.deployment`: the deployments file, read and written here only.
- `jcredit.tx`: dry run, send, retries and revert reasons of every transaction.
- `jcredit.registry`, `jcredit.credits`: typed clients of Registry.vy and CarbonCredit.vy.
- `jcredit.history`: every event scan (transfers, reports, retirements, meters).
- `jcredit.documents`: monthly reports, retirement certificates, registry exports.

Layering: scripts -> oracles -> jcredit -> methodology; nothing imports upward.
"""
