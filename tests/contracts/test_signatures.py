"""Meter signatures (EIP-712 ReadingBatch): bound to chain, contract, project and meter."""

import boa

from tests.contracts.contract_world import EXPORT, GENERATION, JUNE_2025, MAY_2025, meter_key
from tests.contracts.meter_signing import Domain, Meter, eip712_digest, readings_hash
from tests.contracts.report_world import (
    APRIL,
    EIP712_DOMAIN_TYPE,
    MAY,
    MAY_G,
    MAY_SC,
    april_readings,
    submit_readings,
)


def _resign(world, project_id, meters, kind, domain=None, **kw):
    readings = april_readings(world, project_id, meters)
    index = (GENERATION, EXPORT).index(kind)
    readings[index] = meters[kind].sign_batch(
        domain or world.domain, project_id, [(MAY_2025, APRIL[kind])], **kw
    )
    return readings


def test_signature__other_chain_id__refused(world, project):
    project_id, meters = project
    domain = Domain(world.domain.chain_id + 1, world.domain.registry)
    with boa.reverts("registry: bad meter signature"):
        submit_readings(world, project_id, _resign(world, project_id, meters, EXPORT, domain))


def test_signature__other_contract__refused(world, project):
    project_id, meters = project
    domain = Domain(world.domain.chain_id, world.credit.address)
    with boa.reverts("registry: bad meter signature"):
        submit_readings(world, project_id, _resign(world, project_id, meters, GENERATION, domain))


def test_signature__other_project__refused(world, project):
    project_id, meters = project
    readings = _resign(world, project_id, meters, EXPORT, signed_project_id=project_id + 1)
    with boa.reverts("registry: bad meter signature"):
        submit_readings(world, project_id, readings)


def test_signature__signed_by_other_meter__refused(world, project):
    project_id, meters = project
    readings = april_readings(world, project_id, meters)
    # The generation meter's key signs a batch that claims to come from the export meter.
    forged = meters[GENERATION].sign_batch(
        world.domain, project_id, [(MAY_2025, APRIL[EXPORT])], signed_meter=meters[EXPORT].address
    )
    readings[1] = (meters[EXPORT].address, *forged[1:])
    with boa.reverts("registry: bad meter signature"):
        submit_readings(world, project_id, readings)


def test_signature__malformed__refused(world, project):
    project_id, meters = project
    readings = april_readings(world, project_id, meters)
    readings[0] = (*readings[0][:5], readings[0][5][:64] + b"\x05")
    with boa.reverts("ecdsa: invalid signature"):
        submit_readings(world, project_id, readings)


def test_signature__replayed_old_reading__refused(world, project):
    project_id, meters = project
    april = april_readings(world, project_id, meters)
    submit_readings(world, project_id, april)
    may = [
        meters[GENERATION].reading(world.domain, project_id, JUNE_2025, MAY[GENERATION]),
        april[1],
    ]
    with boa.reverts("registry: reading not newer"):
        submit_readings(world, project_id, may, end=JUNE_2025, sc=MAY_SC, g=MAY_G)


def test_reading_digest__matches_eth_account_eip712(world):
    rhash = readings_hash([(100, 5), (200, 9)])
    meter = Meter(meter_key(1)).address
    expected = eip712_digest(world.domain, 7, meter, 100, 200, 9, rhash)
    assert world.registry.reading_digest(7, meter, 100, 200, 9, rhash) == expected


def test_domain_separator__matches_eip712_definition(world):
    from eth_abi import encode
    from eth_utils import keccak

    expected = keccak(
        encode(
            ["bytes32", "bytes32", "bytes32", "uint256", "address"],
            [
                keccak(EIP712_DOMAIN_TYPE),
                keccak(b"SolarJCredit"),
                keccak(b"1"),
                world.domain.chain_id,
                world.registry.address,
            ],
        )
    )
    assert world.registry.domain_separator() == expected
    domain = world.registry.eip712Domain()
    assert (domain[1], domain[2], domain[3], domain[4]) == (
        "SolarJCredit",
        "1",
        world.domain.chain_id,
        world.registry.address,
    )
