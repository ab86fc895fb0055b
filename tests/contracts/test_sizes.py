"""Every deployable keeps a margin under the EIP-170 contract size limit.

A contract whose runtime code (with its immutables) exceeds 24,576 bytes cannot be deployed on
Ethereum mainnet or most chains; the margin leaves room for fixes without a redesign.
"""

import boa
import pytest

EIP170_LIMIT = 24_576
MARGIN = 512


@pytest.mark.parametrize("name", ["Registry", "MonitoringReports", "FraudProofs", "CarbonCredit"])
def test_deployed_size__stays_512_bytes_under_eip170(world, name):
    contract = {
        "Registry": world.registry,
        "MonitoringReports": world.reports,
        "FraudProofs": world.proofs,
        "CarbonCredit": world.credit,
    }[name]
    size = len(boa.env.get_code(contract.address))
    assert size <= EIP170_LIMIT - MARGIN, (
        f"{name} is {size} bytes deployed: {EIP170_LIMIT - size} under the EIP-170 limit, "
        f"less than the {MARGIN}-byte margin"
    )
