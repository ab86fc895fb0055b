"""Meter signatures (EIP-712 under the Registry's domain): a ReadingBatch signature is bound to the
chain, the Registry, the project and the meter, and covers every value of the batch; malformed and
malleable signatures are refused by snekmate's ecdsa. The contract's digests are compared with
eth-account's independent EIP-712 encoder."""

import dataclasses

import boa
import pytest
from eth_abi import encode
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak, to_checksum_address
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.contracts.contract_world import EXPORT, GENERATION, MAY_2025, meter_key
from tests.contracts.meter_signing import (
    METER_REGISTRATION_TYPES,
    Domain,
    Meter,
    eip712_digest,
    readings_hash,
)
from tests.contracts.report_world import (
    APRIL,
    EIP712_DOMAIN_TYPE,
    april_batches,
    submit_raw,
    with_proofs,
)

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
# Index of each boundary batch in april_batches: generation start, end; export start, end.
G_START, G_END, E_START, E_END = range(4)


@pytest.fixture(scope="module")
def _digests():
    """The contracts' own ReadingBatch encoding (`meter_signatures`, the module MonitoringReports
    and FraudProofs verify with) behind a test-only external function."""
    return boa.loads(
        "from contracts.modules import meter_signatures\n"
        "@external\n@pure\n"
        "def reading_digest(separator: bytes32, project_id: uint256, meter: address, "
        "first: uint64, last: uint64, wh: uint256, readings_hash: bytes32) -> bytes32:\n"
        "    return meter_signatures._reading_digest(\n"
        "        separator, project_id, meter, first, last, wh, readings_hash\n"
        "    )\n"
    )


@pytest.fixture
def reading_digest(world, _digests):
    """The digest a meter signs for a batch, under this world's Registry domain."""
    separator = world.registry.domain_separator()
    return lambda *batch: _digests.reading_digest(separator, *batch)


def submit_with(world, project, index, batch):
    """Submits April with the batch at `index` replaced (Merkle root rebuilt around it)."""
    batches = april_batches(world, project)
    batches[index] = batch
    readings, root = with_proofs(batches)
    return submit_raw(world, project, readings, root)


def with_signature(batch: tuple, signature: bytes) -> tuple:
    return (*batch[:5], signature)


def split(signature: bytes) -> tuple[int, int, int]:
    return (
        int.from_bytes(signature[:32], "big"),
        int.from_bytes(signature[32:64], "big"),
        signature[64],
    )


def join(r: int, s: int, v: int) -> bytes:
    return r.to_bytes(32, "big") + s.to_bytes(32, "big") + bytes([v])


def test_submit_report__genuine_signatures__accepted(world, project):
    report_id = submit_with(
        world,
        project,
        G_END,
        project.meters[GENERATION].reading(
            world.domain, project.project_id, MAY_2025, APRIL[GENERATION]
        ),
    )
    assert report_id == 1


# ---- bound to chain, Registry, project and meter ----------------------------------------------


def _other_chain(world, project, factories):
    domain = Domain(world.domain.chain_id + 1, world.domain.registry)
    return project.meters[EXPORT].reading(domain, project.project_id, MAY_2025, APRIL[EXPORT])


def _other_registry(world, project, factories):
    domain = Domain(world.domain.chain_id, factories.registry.deploy().address)
    return project.meters[EXPORT].reading(domain, project.project_id, MAY_2025, APRIL[EXPORT])


def _reports_contract_as_domain(world, project, factories):
    domain = Domain(world.domain.chain_id, world.reports.address)
    return project.meters[EXPORT].reading(domain, project.project_id, MAY_2025, APRIL[EXPORT])


def _other_project(world, project, factories):
    return project.meters[EXPORT].sign_batch(
        world.domain,
        project.project_id,
        [(MAY_2025, APRIL[EXPORT])],
        signed_project_id=project.project_id + 1,
    )


def _signed_by_other_meter(world, project, factories):
    # The generation meter's key signs a batch that names the export meter.
    forged = project.meters[GENERATION].sign_batch(
        world.domain,
        project.project_id,
        [(MAY_2025, APRIL[EXPORT])],
        signed_meter=project.meters[EXPORT].address,
    )
    return (project.meters[EXPORT].address, *forged[1:])


def _other_meters_batch_relabelled(world, project, factories):
    # The generation meter's genuine batch, relabelled as the export meter's.
    genuine = project.meters[GENERATION].reading(
        world.domain, project.project_id, MAY_2025, APRIL[EXPORT]
    )
    return (project.meters[EXPORT].address, *genuine[1:])


@pytest.mark.parametrize(
    "forge",
    [
        _other_chain,
        _other_registry,
        _reports_contract_as_domain,
        _other_project,
        _signed_by_other_meter,
        _other_meters_batch_relabelled,
    ],
    ids=[
        "other_chain_id",
        "other_registry",
        "reports_contract_as_verifying_contract",
        "other_project",
        "other_meter_key_signing_for_this_meter",
        "other_meters_batch_relabelled",
    ],
)
def test_submit_report__reading_signature_for_another_domain_project_or_meter__reverts(
    world, factories, project, forge
):
    with boa.reverts("registry: bad meter signature"):
        submit_with(world, project, E_END, forge(world, project, factories))


@pytest.mark.parametrize("index", [G_START, E_START], ids=["generation", "export"])
def test_submit_report__start_reading_signed_for_another_project__reverts(world, project, index):
    kind = GENERATION if index == G_START else EXPORT
    forged = project.meters[kind].sign_batch(
        world.domain,
        project.project_id,
        [(project.start, 0)],
        signed_project_id=project.project_id + 1,
    )
    with boa.reverts("registry: bad meter signature"):
        submit_with(world, project, index, forged)


@pytest.mark.parametrize(
    "field",
    ["first_timestamp", "last_timestamp", "last_cumulative_wh", "readings_hash"],
)
def test_submit_report__batch_value_changed_after_signing__reverts(world, project, field):
    """The oracle cannot raise the end register (or move a timestamp, or swap the readings) of a
    batch the meter signed: every field is in the signed digest."""
    # A batch of two readings, the last one on the period end.
    meter, first, last, wh, rhash, signature = project.meters[GENERATION].sign_batch(
        world.domain,
        project.project_id,
        [(MAY_2025 - 1800, APRIL[GENERATION] - 2_000), (MAY_2025, APRIL[GENERATION])],
    )
    tampered = {
        "first_timestamp": (meter, first - 1, last, wh, rhash, signature),
        "last_timestamp": (meter, first, last - 1, wh, rhash, signature),
        "last_cumulative_wh": (meter, first, last, wh + 1_000_000, rhash, signature),
        "readings_hash": (
            meter,
            first,
            last,
            wh,
            readings_hash([(last, wh + 1_000_000)]),
            signature,
        ),
    }[field]
    with boa.reverts("registry: bad meter signature"):
        submit_with(world, project, G_END, tampered)


# ---- malformed and malleable signatures -------------------------------------------------------


def _genuine_end(world, project):
    return project.meters[GENERATION].reading(
        world.domain, project.project_id, MAY_2025, APRIL[GENERATION]
    )


def test_submit_report__high_s_twin_of_a_valid_signature__reverts(world, project):
    batch = _genuine_end(world, project)
    r, s, v = split(batch[5])
    twin = join(r, SECP256K1_N - s, 55 - v)  # the same point with s' = n - s and v flipped
    with boa.reverts("ecdsa: invalid signature `s` value"):
        submit_with(world, project, G_END, with_signature(batch, twin))


@pytest.mark.parametrize(
    "mangle",
    [
        lambda r, s, v: join(r, s, 5),
        lambda r, s, v: join(0, s, v),
        lambda r, s, v: join(r, 0, v),
    ],
    ids=["v_is_5", "r_is_0", "s_is_0"],
)
def test_submit_report__unrecoverable_signature__reverts(world, project, mangle):
    batch = _genuine_end(world, project)
    with boa.reverts("ecdsa: invalid signature"):
        submit_with(world, project, G_END, with_signature(batch, mangle(*split(batch[5]))))


@pytest.mark.parametrize("length", [0, 1, 63])
def test_submit_report__signature_of_wrong_length__reverts(world, project, length):
    batch = _genuine_end(world, project)
    with boa.reverts("registry: bad meter signature"):
        submit_with(world, project, G_END, with_signature(batch, batch[5][:length]))


def test_submit_report__eip2098_compact_form_of_a_valid_signature__accepted(world, project):
    """snekmate accepts the 64-byte compact form (r, yParity << 255 | s): the same signature of
    the same digest, so it proves the same reading (nothing is keyed on signature bytes)."""
    batch = _genuine_end(world, project)
    r, s, v = split(batch[5])
    compact = r.to_bytes(32, "big") + ((v - 27) << 255 | s).to_bytes(32, "big")
    assert submit_with(world, project, G_END, with_signature(batch, compact)) == 1


def test_register_meter__high_s_registration_signature__reverts(world, actors):
    project_id = world.register_project()
    meter = Meter(meter_key(0xC001))
    signature = meter.sign_registration(world.domain, project_id, actors.owner, "SN-C1")
    r, s, v = split(signature)
    with boa.env.prank(actors.owner), boa.reverts("ecdsa: invalid signature `s` value"):
        world.registry.register_meter(
            project_id,
            meter.address,
            GENERATION,
            "SN-C1",
            2**40,
            1800,
            join(r, SECP256K1_N - s, 55 - v),
        )


def test_register_meter__unrecoverable_registration_signature__reverts(world, actors):
    project_id = world.register_project()
    meter = Meter(meter_key(0xC002))
    r, s, _ = split(meter.sign_registration(world.domain, project_id, actors.owner, "SN-C2"))
    with boa.env.prank(actors.owner), boa.reverts("ecdsa: invalid signature"):
        world.registry.register_meter(
            project_id, meter.address, GENERATION, "SN-C2", 2**40, 1800, join(r, s, 29)
        )


# ---- digests and domain -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("project_id", "first", "last", "wh", "readings"),
    [
        (7, 100, 200, 9, [(100, 5), (200, 9)]),
        (1, MAY_2025 - 1800, MAY_2025, APRIL[GENERATION], [(MAY_2025, APRIL[GENERATION])]),
        (2**256 - 1, 2**64 - 1, 2**64 - 1, 2**256 - 1, [(2**64 - 1, 2**256 - 1)]),
        (0, 0, 0, 0, []),
    ],
    ids=["two_readings", "april_end", "maximum_values", "zeros"],
)
def test_reading_digest__equals_eth_account_eip712(
    world, reading_digest, project_id, first, last, wh, readings
):
    meter = Meter(meter_key(0xD001)).address
    rhash = readings_hash(readings)
    expected = eip712_digest(world.domain, project_id, meter, first, last, wh, rhash)
    assert reading_digest(project_id, meter, first, last, wh, rhash) == expected


_ADDRESSES = st.binary(min_size=20, max_size=20).map(lambda b: "0x" + b.hex())
_UINT64 = st.integers(0, 2**64 - 1)
_UINT256 = st.integers(0, 2**256 - 1)
_PROPERTY = settings(
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


@_PROPERTY
@given(
    project_id=_UINT256,
    meter=_ADDRESSES,
    first=_UINT64,
    last=_UINT64,
    wh=_UINT256,
    rhash=st.binary(min_size=32, max_size=32),
)
def test_reading_digest__any_batch__equals_eth_account_eip712(
    world, reading_digest, project_id, meter, first, last, wh, rhash
):
    meter = to_checksum_address(meter)
    expected = eip712_digest(world.domain, project_id, meter, first, last, wh, rhash)
    assert reading_digest(project_id, meter, first, last, wh, rhash) == expected


@_PROPERTY
@given(
    project_id=_UINT256,
    owner=_ADDRESSES,
    serial=st.text(max_size=64).filter(lambda t: len(t.encode()) <= 64),
)
def test_registration_digest__any_registration__equals_eth_account_eip712(
    world, project_id, owner, serial
):
    owner = to_checksum_address(owner)
    message = encode_typed_data(
        domain_data={
            "name": "SolarJCredit",
            "version": "1",
            "chainId": world.domain.chain_id,
            "verifyingContract": world.registry.address,
        },
        message_types=METER_REGISTRATION_TYPES,
        message_data={"projectId": project_id, "owner": owner, "serial": serial},
    )
    expected = keccak(b"\x19" + message.version + message.header + message.body)
    assert world.registry.registration_digest(project_id, owner, serial) == expected


def test_reading_digest__meter_signature_recovers_to_the_meter(world, reading_digest, project):
    meter = project.meters[EXPORT]
    batch = meter.reading(world.domain, project.project_id, MAY_2025, APRIL[EXPORT])
    digest = reading_digest(project.project_id, *batch[:5])
    assert Account._recover_hash(digest, signature=batch[5]) == meter.address


@pytest.mark.parametrize("serial", ["JP-SN-000123", "", "x" * 64, "メーター-1"])
@pytest.mark.parametrize("project_id", [1, 2**256 - 1])
def test_registration_digest__equals_eth_account_eip712(world, actors, serial, project_id):
    message = encode_typed_data(
        domain_data={
            "name": "SolarJCredit",
            "version": "1",
            "chainId": world.domain.chain_id,
            "verifyingContract": world.registry.address,
        },
        message_types=METER_REGISTRATION_TYPES,
        message_data={"projectId": project_id, "owner": actors.owner, "serial": serial},
    )
    expected = keccak(b"\x19" + message.version + message.header + message.body)
    assert world.registry.registration_digest(project_id, actors.owner, serial) == expected


def _domain_separator(chain_id: int, registry: str) -> bytes:
    return keccak(
        encode(
            ["bytes32", "bytes32", "bytes32", "uint256", "address"],
            [keccak(EIP712_DOMAIN_TYPE), keccak(b"SolarJCredit"), keccak(b"1"), chain_id, registry],
        )
    )


def test_domain_separator__equals_the_eip712_definition(world):
    assert world.registry.domain_separator() == _domain_separator(
        world.domain.chain_id, world.registry.address
    )


def test_eip712_domain__erc5267_fields(world):
    assert world.registry.eip712Domain() == (
        b"\x0f",  # name, version, chainId, verifyingContract
        "SolarJCredit",
        "1",
        world.domain.chain_id,
        world.registry.address,
        b"\x00" * 32,
        [],
    )


def test_domain_separator__after_a_chain_split__follows_the_new_chain_id(world, project):
    """After a fork to another chain id, signatures made for the old chain are refused and the
    separator (Registry and reports alike) is recomputed for the new one."""
    old_chain = boa.env.evm.patch.chain_id
    new_chain = old_chain + 1000
    try:
        boa.env.evm.patch.chain_id = new_chain
        assert world.registry.domain_separator() == _domain_separator(
            new_chain, world.registry.address
        )
        with boa.reverts("registry: bad meter signature"):
            submit_raw(world, project, *with_proofs(april_batches(world, project)))
        forked = Domain(new_chain, world.registry.address)
        batches = april_batches(dataclasses.replace(world, domain=forked), project)
        assert submit_raw(world, project, *with_proofs(batches)) == 1
    finally:
        boa.env.evm.patch.chain_id = old_chain
