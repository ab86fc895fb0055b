"""The household simulator: realistic enough, signed as the contracts expect, faults planted."""

import numpy as np
from eth_account import Account
from eth_account.messages import encode_typed_data

from jcredit.eip712 import batch_digest, domain_separator, readings_hash, recover, typed_data
from jcredit.keccak import keccak256
from jcredit.program_tree import program_project_id
from oracles.program.households import (
    EXPORT,
    GENERATION,
    Fault,
    consent_document,
    simulate_households,
)
from tests.oracles.program.conftest import APR_2025, CHAIN_ID, PROGRAM_ID, REGISTRY


def test_self_consumption_is_about_a_third_and_capacities_3_to_10_kw():
    sim = simulate_households(
        300, APR_2025, APR_2025 + 7 * 86400, PROGRAM_ID, CHAIN_ID, REGISTRY, seed=3
    )
    generation, export = sim.extra["generation_wh"], sim.extra["export_wh"]
    assert 0.25 < (generation - export) / generation < 0.42
    capacities = [h.capacity_w for h in sim.households]
    assert min(capacities) >= 3000 and max(capacities) <= 10_000
    assert len({h.city for h in sim.households}) >= 5
    assert len({(h.tilt, h.azimuth) for h in sim.households}) >= 5
    assert sim.member_ids == list(range(1, 301))


def test_batches_are_signed_by_their_meters_for_the_program(program):
    sim = program.sim
    separator = domain_separator(CHAIN_ID, REGISTRY)
    project_id = program_project_id(PROGRAM_ID)
    seen = set()
    for member_id, kind, batch in sim.batches:
        if member_id in (2,) or (member_id, kind) in seen:
            continue  # member 2's data was tampered with after signing
        seen.add((member_id, kind))
        assert recover(batch_digest(separator, project_id, batch), batch.signature) == batch.meter
        row = member_id - 1
        ts = sim.timestamps
        mask = (ts >= batch.first_timestamp) & (ts <= batch.last_timestamp)
        assert readings_hash(ts[mask], sim.registers[kind][row][mask]) == batch.readings_hash
    # One batch through eth_account's reference encoder: the same digest the meter signed.
    _, _, batch = sim.batches[0]
    message = encode_typed_data(full_message=typed_data(project_id, batch, CHAIN_ID, REGISTRY))
    assert Account.recover_message(message, signature=batch.signature) == batch.meter
    assert len(seen) == 2 * (len(sim.households) - 1)


def test_enrollment_leaves(program):
    sim = program.sim
    leaves = sim.enrollment
    assert len(leaves) == 2 * len(sim.households)
    assert [int(x.meter, 16) for x in leaves] == sorted(int(x.meter, 16) for x in leaves)
    for leaf in leaves:
        household = sim.households[leaf.member_id - 1]
        assert leaf.capacity_w == household.capacity_w and leaf.kind in (GENERATION, EXPORT)
        assert leaf.consent_hash == keccak256(consent_document(PROGRAM_ID, leaf.member_id).encode())
        assert leaf.interval_seconds == 1800
    expired = [x for x in leaves if x.member_id == 4]
    assert all(x.certification_expiry == APR_2025 + 10 * 86400 for x in expired)


def test_faults_are_planted(program):
    sim = program.sim
    # over capacity: one 30-minute interval holds more than the capacity allows
    row = 2
    delta = np.diff(sim.registers[GENERATION][row])
    assert (delta * 3600 > sim.households[row].capacity_w * 1800).sum() == 1
    # tampered: member 2's data no longer matches one of its signed batches
    ts = sim.timestamps
    gen = sim.registers[GENERATION][1]
    mismatched = [
        b
        for m, k, b in sim.batches
        if m == 2
        and k == GENERATION
        and readings_hash(
            ts[(ts >= b.first_timestamp) & (ts <= b.last_timestamp)],
            gen[(ts >= b.first_timestamp) & (ts <= b.last_timestamp)],
        )
        != b.readings_hash
    ]
    assert len(mismatched) == 1


def test_enrolled_twice_shares_a_meter():
    sim = simulate_households(
        3,
        APR_2025,
        APR_2025 + 2 * 86400,
        PROGRAM_ID,
        CHAIN_ID,
        REGISTRY,
        faults=[Fault(3, "enrolled_twice", other_member_id=1)],
    )
    assert sim.meters[GENERATION][2] == sim.meters[GENERATION][0]
    shared = [x for x in sim.enrollment if x.meter == sim.meters[GENERATION][0]]
    assert sorted(x.member_id for x in shared) == [1, 3]
