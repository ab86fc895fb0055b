"""Sites with a battery and with auxiliary consumption through the real oracle pipeline:
simulated signed meters -> intake -> report (methodology) -> submit -> the chain accepts it and
credits exactly what the methodology computed, net of the battery and the auxiliary draw."""

import dataclasses

from jcredit.facts import ReportFacts
from jcredit.history import submitted_reports
from jcredit.tx import Sender
from jcredit.types import MeterKind
from methodology.compute import site_self_consumption
from oracles.simulator import Plant, simulate_meters, write_site
from tests.oracles.anvil_world import (
    APR_2025,
    EXPIRY,
    JUL_2025,
    MAY_2025,
    PROJECT_SEED,
    World,
    oracle,
)

# A 9.9 kW plant (it may meter by difference) with a 10 kWh battery and a 40 W night draw.
BATTERY_PLANT = Plant(
    capacity_w=9_900, base_load_w=1_500, business_load_w=3_000, battery_wh=10_000, auxiliary_w=40
)
AUXILIARY_PLANT = dataclasses.replace(BATTERY_PLANT, battery_wh=0)


def site_of(world: World, plant: Plant, tmp_path) -> World:
    """A second project of the world for `plant` (its battery declared before the approval),
    its simulated meters registered and approved, the world's oracle assigned."""
    quiet = {"log": lambda line: None}
    admin, validator, owner = (
        Sender(account, world.provider, **quiet)
        for account in (world.admin, world.validator, world.owner)
    )
    registry = world.jc.registry
    now = world.provider.get_block("latest").timestamp
    project_id = registry.register_project(
        owner, plant.capacity_w, min(APR_2025, now - 86400), APR_2025, APR_2025, "ipfs://site-2"
    )
    if plant.battery_wh:
        registry.declare_battery(owner, project_id)
    registry.set_project_status(validator, "approve", project_id)
    registry.set_project_oracle(admin, project_id, world.oracle.address)
    deployment = world.jc.deployment
    site_path = write_site(
        tmp_path / "site-2",
        project_id,
        deployment.chain_id,
        deployment.registry,
        APR_2025,
        JUL_2025,
        plant,
        seed=PROJECT_SEED,
        owner=owner.address,
    )
    other = dataclasses.replace(world, site_path=site_path, plant=plant)
    for meter in other.site().meters:
        registry.register_meter(
            owner,
            project_id,
            meter.address,
            MeterKind.from_name(meter.kind),
            meter.serial,
            EXPIRY,
            meter.interval_seconds,
            meter.registration_signature,
        )
        registry.approve_meter(validator, meter.address, EXPIRY)
    return other


def april_expected(plant: Plant) -> int:
    ts, registers = simulate_meters(plant, APR_2025, JUL_2025, seed=PROJECT_SEED)
    i, j = list(ts).index(APR_2025), list(ts).index(MAY_2025)
    energy = {kind: int(r[j] - r[i]) for kind, r in registers.items()}
    self_wh, problems = site_self_consumption(energy, direct=False)
    assert problems == [] and energy.get("auxiliary", 0) > 0
    return self_wh


def push_april(world: World) -> ReportFacts:
    feed = oracle(world)
    feed.start_monitoring(APR_2025)
    result = feed.push()
    assert [(r.period_start, r.period_end) for r in result.submitted] == [(APR_2025, MAY_2025)]
    (submitted,) = [
        s
        for s in submitted_reports(world.jc.reports.contract, world.jc.deployment.block)
        if s.facts.project_id == world.site().project_id
    ]
    return submitted.facts


def test_battery_site__simulate_push__chain_accepts_net_of_the_battery_and_auxiliary(
    world, tmp_path
):
    site = site_of(world, BATTERY_PLANT, tmp_path)
    assert site.site().battery and world.jc.registry.has_battery(site.site().project_id)
    facts = push_april(site)
    kinds = [
        MeterKind.GENERATION,
        MeterKind.EXPORT,
        MeterKind.AUXILIARY,
        MeterKind.BATTERY_CHARGE,
        MeterKind.BATTERY_DISCHARGE,
    ]
    assert [kind for kind in MeterKind if facts.period_of(kind).used] == kinds
    charge = facts.period_of(MeterKind.BATTERY_CHARGE).energy_wh
    discharge = facts.period_of(MeterKind.BATTERY_DISCHARGE).energy_wh
    assert charge > discharge > 0
    assert not facts.void
    assert facts.self_consumed_wh == april_expected(BATTERY_PLANT)
    assert facts.self_consumed_wh < facts.generation_wh - facts.export_wh - (charge - discharge)


def test_auxiliary_site__simulate_push__chain_accepts_net_of_the_auxiliary(world, tmp_path):
    site = site_of(world, AUXILIARY_PLANT, tmp_path)
    facts = push_april(site)
    auxiliary = facts.period_of(MeterKind.AUXILIARY).energy_wh
    assert auxiliary > 0 and not facts.void
    assert facts.self_consumed_wh == facts.generation_wh - facts.export_wh - auxiliary
    assert facts.self_consumed_wh == april_expected(AUXILIARY_PLANT)
