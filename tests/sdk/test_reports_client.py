"""ReportsClient on the embedded chain: reports with carried start readings, their facts and hash,
finalize after the window, disputes, void reports, accrued credits and oracle bonds. Refused input
changes nothing (nonce and state unchanged)."""

import dataclasses
from pathlib import Path

import pytest

from jcredit.devnet import advance_time
from jcredit.errors import ChainError, InputError, JCreditError
from jcredit.evidence import BatchData, IntervalEvidence
from jcredit.facts import ReportFacts
from jcredit.history import finalized_reports, submitted_reports, undone_reports
from jcredit.types import MeterKind, ReportStatus, UndoneReason, token_id
from tests.sdk.chain_world import (
    APR,
    APRIL,
    APRIL_G,
    APRIL_SC,
    DAY,
    EXP,
    EXPIRY,
    GEN,
    INTERVAL,
    MAY,
    MAY_END,
    MIN_BOND,
    START,
    WINDOW,
    Project,
    meter_key,
)

SC = MeterKind.SELF_CONSUMPTION

DISPUTE_TIMEOUT = 14 * DAY
UNBOND_DELAY = 44 * DAY


def test_first_report__carries_start_readings_and_logs_its_facts(world):
    project = world.monitored()
    submitted = world.april(project)
    facts = submitted.facts
    generation, export = facts.meters[0], facts.meters[1]
    assert (generation.meter, export.meter) == (
        project.meters[GEN].address,
        project.meters[EXP].address,
    )
    assert generation.carried_start and export.carried_start
    assert (generation.start_timestamp, generation.start_cumulative_wh) == (APR, START[GEN])
    assert (export.end_timestamp, export.end_cumulative_wh) == (MAY, APRIL[EXP])
    assert not facts.meters[2].used
    assert (facts.period_start, facts.period_end, facts.fiscal_year) == (APR, MAY, 2025)
    assert (facts.self_consumed_wh, facts.reduction_g, facts.oracle) == (
        APRIL_SC,
        APRIL_G,
        world.oracle.address,
    )
    reports = world.jc.reports
    pending = reports.pending_report(project.project_id)
    assert (pending.status, pending.report_id) == (ReportStatus.PENDING, submitted.report_id)
    assert pending.facts_hash == facts.facts_hash()
    assert reports.pending_facts(project.project_id) == facts
    (logged,) = submitted_reports(reports.contract, world.jc.deployment.block, project.project_id)
    assert logged.facts == facts
    assert (logged.generation_wh, logged.export_wh) == (1_234_567, 234_567)
    assert logged.end_readings[project.meters[GEN].address] == (MAY, APRIL[GEN])
    # The end readings are the meters' baselines now.
    registration = world.jc.registry.meter(project.meters[GEN].address).registration
    epoch = reports.monitoring_epoch(project.project_id)
    baseline = reports.last_reading(project.meters[GEN].address).baseline(registration, epoch)
    assert (baseline.timestamp, baseline.cumulative_wh) == (MAY, APRIL[GEN])


def test_next_report__starts_from_the_baselines_after_finalize_by_facts(world):
    project = world.monitored()
    april = world.april(project)
    world.after_window()
    finalized = world.jc.reports.finalize(
        world.buyer, world.jc.reports.pending_facts(project.project_id)
    )
    assert (finalized.report_id, finalized.minted_t, finalized.carry_g) == (
        april.report_id,
        0,
        APRIL_G,
    )
    assert finalized.recipient == world.owner.address and not finalized.accrued
    may = world.may(project)
    generation = may.facts.meters[0]
    assert not generation.carried_start
    assert (generation.start_timestamp, generation.start_cumulative_wh) == (MAY, APRIL[GEN])
    assert (generation.end_cumulative_wh, may.facts.period_start) == (MAY_END[GEN], MAY)
    world.after_window()
    world.jc.reports.finalize(world.buyer, may.facts)
    # 434,000 + 868,000 g: 1 t minted, 302,000 g carried.
    token = token_id(project.project_id, 2025)
    assert world.jc.credit.balance(world.owner.address, token) == 1
    assert world.jc.reports.carry_g(project.project_id, 2025) == 302_000
    finalized = finalized_reports(
        world.jc.reports.contract, world.jc.deployment.block, project.project_id
    )
    assert [(r.submitted.report_id, r.minted_t) for r in finalized] == [
        (april.report_id, 0),
        (may.report_id, 1),
    ]


def test_finalize__inside_the_window_is_refused_and_changes_nothing(world):
    project = world.monitored()
    submitted = world.april(project)
    nonce = world.buyer.account.nonce
    with pytest.raises(ChainError, match="reports: challenge window open"):
        world.jc.reports.finalize(world.buyer, submitted.facts)
    assert world.buyer.account.nonce == nonce
    assert world.jc.reports.pending_report(project.project_id).status == ReportStatus.PENDING


def test_finalize__with_altered_facts_is_refused(world):
    project = world.monitored()
    facts = world.april(project).facts
    world.after_window()
    inflated = dataclasses.replace(facts, reduction_g=facts.reduction_g + 1_000_000)
    assert inflated.facts_hash() != facts.facts_hash()
    with pytest.raises(ChainError, match="reports: facts differ from the report"):
        world.jc.reports.finalize(world.buyer, inflated)
    assert world.jc.reports.pending_report(project.project_id).status == ReportStatus.PENDING


def test_facts__round_trip_through_the_contract_tuple(world):
    project = world.monitored()
    facts = world.april(project).facts
    assert ReportFacts.from_chain(facts.as_tuple()) == facts
    as_mapping = dict(zip(ReportFacts.__dataclass_fields__, facts.as_tuple(), strict=True))
    assert ReportFacts.from_chain(as_mapping) == facts
    pending = world.jc.reports.contract.pending_report(facts.project_id)
    assert pending.status == ReportStatus.PENDING
    assert pending.facts_hash == facts.facts_hash()


def test_dispute_then_reject__undoes_the_report_and_its_carried_baselines(world):
    reports, project = world.jc.reports, world.monitored()
    facts = world.april(project).facts
    reports.dispute(world.validator, project.project_id, "export meter seal broken")
    assert reports.pending_report(project.project_id).status == ReportStatus.DISPUTED
    reports.resolve_dispute(world.validator, facts, uphold=False)
    assert reports.pending_report(project.project_id).status == ReportStatus.NONE
    assert reports.next_period_start(project.project_id) == APR
    (undone,) = undone_reports(reports.contract, world.jc.deployment.block, project.project_id)
    assert (undone.report_id, undone.reason) == (facts.report_id, UndoneReason.REJECTED)
    # The carried start readings went with the report: the next one carries them again.
    registration = world.jc.registry.meter(project.meters[GEN].address).registration
    last = reports.last_reading(project.meters[GEN].address)
    assert last.baseline(registration, reports.monitoring_epoch(project.project_id)) is None
    assert world.april(project).facts.meters[0].carried_start


def test_dispute__expires_after_the_timeout(world):
    reports, project = world.jc.reports, world.monitored()
    facts = world.april(project).facts
    reports.dispute(world.validator, project.project_id, "no answer from the site")
    with pytest.raises(ChainError, match="reports: dispute not expired"):
        reports.expire_dispute(world.buyer, facts)
    advance_time(world.provider, DISPUTE_TIMEOUT)
    reports.expire_dispute(world.buyer, facts)
    (undone,) = undone_reports(reports.contract, world.jc.deployment.block, project.project_id)
    assert undone.reason == UndoneReason.DISPUTE_EXPIRED


def test_dispute__by_a_non_validator_is_refused(world):
    project = world.monitored()
    world.april(project)
    nonce = world.buyer.account.nonce
    with pytest.raises(ChainError, match="roles: caller is not a validator"):
        world.jc.reports.dispute(world.buyer, project.project_id, "I do not like it")
    assert world.buyer.account.nonce == nonce
    with pytest.raises(InputError, match="reason: 257 bytes"):
        world.jc.reports.dispute(world.validator, project.project_id, "x" * 257)


def _spike(world, project):
    """A signed generation batch of 2025-04-10 with one interval above the 10 kW capacity:
    6,000 Wh in 30 minutes (the most is 5,000 Wh)."""
    base = APR + 9 * DAY
    readings = [(base + INTERVAL * i, START[GEN] + 100_000 + 1000 * i) for i in range(4)]
    readings.append((base + INTERVAL * 4, readings[-1][1] + 6000))
    batch = world.sign(project.project_id, project.meters[GEN], readings)
    return BatchData(batch, tuple(readings))


def test_void_report__rests_on_a_recorded_violation(world):
    project = world.monitored()
    data = _spike(world, project)
    nonce = world.oracle.account.nonce
    with pytest.raises(ChainError, match="reports: void without a recorded violation"):
        world.april(project, self_consumed_wh=0, reduction_g=0, void=True)
    assert world.oracle.account.nonce == nonce
    evidence = IntervalEvidence((data,), first_index=3, second_index=4)
    recorded = world.jc.fraud_proofs.record_violation(world.oracle, project.project_id, evidence)
    assert recorded == (data.readings[3][0], data.readings[4][0])
    meter = project.meters[GEN].address
    assert world.jc.fraud_proofs.violation_within(project.project_id, meter, APR, MAY)
    assert not world.jc.fraud_proofs.violation_within(project.project_id, meter, MAY, MAY + DAY)
    facts = world.april(project, self_consumed_wh=0, reduction_g=0, void=True).facts
    assert facts.void
    world.after_window()
    assert world.jc.reports.finalize(world.buyer, facts).minted_t == 0


def test_record_violation__without_one_is_refused(world):
    project = world.monitored()
    data = _spike(world, project)
    with pytest.raises(ChainError, match="reports: no interval above capacity"):
        world.jc.fraud_proofs.record_violation(
            world.oracle, project.project_id, IntervalEvidence((data,), 0, 1)
        )


def test_void_report__claiming_energy_is_refused_before_sending(world):
    project = world.monitored()
    end = world.sign(project.project_id, project.meters[GEN], [(MAY, APRIL[GEN])])
    with pytest.raises(InputError, match="a void report claims 0 Wh and 0 g"):
        world.submission(project, MAY, [end], 1, 0, void=True)


def test_owner_contract__accrues_its_credits_and_claims_them_after_handing_the_project_on(world):
    from ape import compilers

    source = (Path(__file__).parent / "owner_wallet.vy").read_text()
    wallet_type = compilers.compile_source("vyper", source, contractName="OwnerWallet")
    wallet = world.owner.account.deploy(wallet_type)
    registry, reports = world.jc.registry, world.jc.reports

    def as_wallet(method, *args):
        wallet.execute(
            method.contract.address, method.encode_input(*args), sender=world.owner.account
        )

    as_wallet(registry.contract.register_project, 10_000, APR - DAY, APR, APR, "EN-R-002", "")
    project_id = registry.project_count()
    registry.set_project_status(world.validator, "approve", project_id)
    registry.set_project_oracle(world.admin, project_id, world.oracle.address)
    meter = meter_key(700)
    signature = world.registration(project_id, meter, wallet.address, "SC-700")
    as_wallet(
        registry.contract.register_meter,
        project_id,
        meter.address,
        int(SC),
        "SC-700",
        EXPIRY,
        INTERVAL,
        signature,
    )
    registry.approve_meter(world.validator, meter.address, EXPIRY)
    reports.start_monitoring(world.oracle, project_id, APR)
    # 3,000,000 Wh self-consumed x 434,000 g/MWh = 1,302,000 g: 1 t.
    boundary = [
        world.sign(project_id, meter, [(APR, 10_000)]),
        world.sign(project_id, meter, [(MAY, 3_010_000)]),
    ]
    project = Project(project_id, {SC: meter}, wallet.address)
    facts = reports.submit_report(
        world.oracle, "April", world.submission(project, MAY, boundary, 3_000_000, 1_302_000)
    ).facts
    world.after_window()
    finalized = reports.finalize(world.buyer, facts)
    token = token_id(project_id, 2025)
    assert finalized.accrued and finalized.minted_t == 1 and finalized.recipient == wallet.address
    assert reports.claimable(wallet.address, token) == 1
    assert world.jc.credit.balance(wallet.address, token) == 0
    # The credits stay the wallet's after it hands the project to the owner's EOA.
    as_wallet(registry.contract.transfer_project, project_id, world.owner.address)
    registry.contract.accept_project(project_id, sender=world.owner.account)
    with pytest.raises(JCreditError, match="no credits accrued to"):
        reports.claim(world.owner, token, world.buyer.address)
    assert reports.claimable(wallet.address, token) == 1
    as_wallet(reports.contract.claim, token, world.buyer.address)
    assert world.jc.credit.balance(world.buyer.address, token) == 1
    assert reports.claimable(wallet.address, token) == 0


def test_bond__post_request_unbond_and_withdraw_after_the_delay(world):
    reports, newcomer = world.jc.reports, world.challenger
    assert reports.post_bond(newcomer, MIN_BOND // 2).amount == MIN_BOND // 2
    assert not reports.is_bonded(newcomer.address)
    assert reports.post_bond(newcomer, MIN_BOND // 2).amount == MIN_BOND
    assert reports.is_bonded(newcomer.address)
    available_at = reports.request_unbond(newcomer)
    assert reports.bond_of(newcomer.address).available_at == available_at
    assert not reports.is_bonded(newcomer.address)  # leaving: no longer assignable
    nonce = newcomer.account.nonce
    with pytest.raises(ChainError, match="reports: bond still locked"):
        reports.withdraw_bond(newcomer)
    assert newcomer.account.nonce == nonce
    advance_time(world.provider, UNBOND_DELAY)
    before = newcomer.account.balance
    assert reports.withdraw_bond(newcomer) == MIN_BOND
    assert reports.bond_of(newcomer.address).amount == 0
    assert newcomer.account.balance > before + MIN_BOND * 99 // 100  # minus gas


def test_bond__an_assigned_oracle_cannot_unbond_and_amounts_are_checked(world):
    reports = world.jc.reports
    world.project(kinds=())
    nonce = world.oracle.account.nonce
    with pytest.raises(ChainError, match="reports: oracle still assigned"):
        reports.request_unbond(world.oracle)
    with pytest.raises(InputError, match="bond amount: 0 wei"):
        reports.post_bond(world.oracle, 0)
    with pytest.raises(JCreditError, match="is not unbonding"):
        reports.withdraw_bond(world.oracle)
    assert world.oracle.account.nonce == nonce


def test_challenge_window__bounds_are_checked_and_the_admin_sets_it(world):
    reports = world.jc.reports
    with pytest.raises(InputError, match="challenge window: 3599 s"):
        reports.set_challenge_window(world.admin, 3599)
    with pytest.raises(ChainError, match="reports: caller is not the admin"):
        reports.set_challenge_window(world.validator, 7200)
    reports.set_challenge_window(world.admin, 7200)
    assert reports.challenge_window() == 7200
    assert reports.challenge_window() != WINDOW
