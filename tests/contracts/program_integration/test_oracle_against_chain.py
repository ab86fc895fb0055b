"""The off-chain oracle and verifier against the real contracts: a simulated program of twelve
households (members 2-4 with faults) signed for the real chain id and Registry, enrolled on chain,
computed by the oracle (inline, and once on a Dask LocalCluster: the same root), submitted; each
cheat the verifier's builders make is found by `verify_period`, and its `ProofCall`, sent as is to
the real MemberProofs / ProgramProofs, undoes the report. The honest report yields no calldata and
answers a data demand with the oracle's own leaf."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import boa
import pytest

from jcredit.program_tree import EnrollmentTree
from jcredit.programs import EnrollmentStatus, ProgramsClient, ProgramStatus
from oracles.program import verify as V
from oracles.program.archive import load_archive, write_archive
from oracles.program.households import Fault, simulate_households
from oracles.program.job import PreviousReport, ProgramPeriod, run_period, run_period_inline
from tests.contracts.contract_world import JULY_2025, JUNE_2025, MAY_2025, events
from tests.contracts.program_integration.world import (
    DEMAND_ANSWERED,
    DEMAND_BOND,
    FRAUD_PROVEN,
    REPORT_BOND,
    Chain,
)
from tests.contracts.program_proofs.program_world import FACTS_FIELDS

PROGRAM_ID = 1
FAULTS = (
    Fault(2, "tampered"),
    Fault(3, "over_capacity"),
    Fault(4, "expired_certificate"),
)


@dataclass
class Simulated:
    path: Path
    enrollment: list
    period: ProgramPeriod


def simulate(chain: Chain, tmp: Path, n: int, end: int, seed: int, faults=()) -> tuple:
    sim = simulate_households(
        n,
        MAY_2025,
        end,
        PROGRAM_ID,
        boa.env.evm.patch.chain_id,
        chain.registry.address,
        seed=seed,
        faults=faults,
    )
    return sim, sim.write_parquet(tmp / "data")


def compute(chain: Chain, path, enrollment, start, end, previous=None) -> ProgramPeriod:
    return run_period_inline(
        path,
        enrollment,
        PROGRAM_ID,
        start,
        end,
        chain_id=boa.env.evm.patch.chain_id,
        registry=chain.registry.address,
        previous=previous,
    )


@pytest.fixture(scope="module")
def twelve(chain_deployed, tmp_path_factory) -> Simulated:
    """Twelve households for May 2025, members 2-4 faulty; the oracle's honest period."""
    sim, path = simulate(
        chain_deployed, tmp_path_factory.mktemp("twelve"), 12, JUNE_2025, 3, FAULTS
    )
    period = compute(chain_deployed, path, sim.enrollment, MAY_2025, JUNE_2025)
    return Simulated(path, list(sim.enrollment), period)


def setup_program(chain: Chain, enrollment) -> EnrollmentTree:
    assert chain.create_program(first=MAY_2025) == PROGRAM_ID
    tree = EnrollmentTree(list(enrollment))
    chain.enroll(PROGRAM_ID, tree)
    return tree


def submit(chain: Chain, root_node, member_count: int, end: int, oracle: str) -> dict:
    with boa.env.prank(oracle):
        chain.programs.submit_report(
            PROGRAM_ID, end, 2025, member_count, root_node.as_tuple(), "ar://x", value=REPORT_BOND
        )
    (logged,) = events(chain.programs, "ProgramReportSubmitted")
    return dict(zip(FACTS_FIELDS, logged["facts"], strict=True))


CHAIN_ONLY = (
    "report_id",
    "enrollment_index",
    "enrollment_approved_at",
    "oracle",
    "bond",
    "challenge_deadline",
)


def chain_facts(archived, logged: dict) -> V.ProgramReport:
    """The verifier's facts: the archive's, the chain-only fields from the event; they must be
    the event's facts field for field."""
    facts = V.facts_from_archive(archived, **{k: logged[k] for k in CHAIN_ONLY})
    assert facts.as_tuple() == tuple(logged[k] for k in FACTS_FIELDS)
    return facts


class BoaSender:
    """jcredit.tx.Sender's `send`, on boa: the call made by `account`."""

    def __init__(self, account: str) -> None:
        self.account = account

    def send(self, description: str, fn, *args, value: int | None = None):
        with boa.env.prank(self.account):
            return fn(*args) if value is None else fn(*args, value=value)


def client(chain: Chain) -> ProgramsClient:
    return ProgramsClient(chain.programs, chain.member_proofs, chain.program_proofs)


def send(chain: Chain, call: V.ProofCall, sender: str):
    """The verifier's calldata through the SDK client (`ProgramsClient.prove`), as a watcher
    sends it."""
    client(chain).prove(BoaSender(sender), call)
    return chain.member_proofs if call.contract == "MemberProofs" else chain.program_proofs


def test_dask_job_gives_the_inline_root(chain, twelve):
    from dask.distributed import Client, LocalCluster

    with (
        LocalCluster(processes=False, n_workers=1, dashboard_address=":0") as cluster,
        Client(cluster) as client,
    ):
        dask = run_period(
            twelve.path,
            twelve.enrollment,
            PROGRAM_ID,
            MAY_2025,
            JUNE_2025,
            chain_id=boa.env.evm.patch.chain_id,
            registry=chain.registry.address,
            client=client,
        )
    assert dask.tree.root == twelve.period.tree.root
    assert dask.results == twelve.period.results


def test_honest_report_unflagged_answers_a_demand_and_finalizes(chain, twelve, tmp_path):
    period = twelve.period
    assert period.valid_count == 9 and period.member_count == 12
    tree = setup_program(chain, twelve.enrollment)
    assert tree.root == period.enrollment_root
    logged = submit(chain, period.tree.root_node, period.member_count, JUNE_2025, chain.oracles[0])
    archived = load_archive(tmp_path, write_archive(tmp_path, period))
    facts = chain_facts(archived, logged)
    verdict = V.verify_period(archived, facts)
    assert verdict.ok and verdict.proof is None and verdict.checked_members == 12

    sdk = client(chain)
    info = sdk.program(PROGRAM_ID)
    assert (info.status, info.oracle, info.enrollment_total, info.current_enrollment) == (
        ProgramStatus.APPROVED,
        chain.oracles[0],
        1,
        0,
    )
    assert info.next_period_start == JUNE_2025  # moved on by the pending report
    enrollment = sdk.enrollment(PROGRAM_ID, 0)
    assert (enrollment.root, enrollment.status) == (tree.root, EnrollmentStatus.APPROVED)

    # A data demand, answered by the oracle with its own leaf and enrollment leaves (SDK calls).
    position = 4
    result = period.results[position]
    sdk.demand(BoaSender(chain.prover), facts, position, DEMAND_BOND)
    sdk.respond(BoaSender(chain.oracles[0]), facts, position, period.tree, tree)
    (posted,) = events(chain.programs, "MemberDataPosted")
    assert posted["position"] == position and posted["responder"] == chain.oracles[0]
    assert tuple(posted["result"]) == result.as_tuple()
    assert chain.programs.demands(facts.report_id, position)[2] == DEMAND_ANSWERED

    boa.env.time_travel(seconds=86400)
    with boa.env.prank(chain.actors.stranger):
        chain.programs.finalize(facts.as_tuple())
    token = (PROGRAM_ID << 16) | 2025
    assert chain.credit.balanceOf(chain.payout, token) == period.total_g // 10**6
    assert chain.programs.carry_g(PROGRAM_ID, 2025) == period.total_g % 10**6


CHEATS = {
    "inflate_member": (lambda p: V.inflate_member(p, 1), 1),
    "inflate_credited": (lambda p: V.inflate_credited(p, 5), 1),
    "credit_expired_certificate": (lambda p: V.credit_invalid_member(p, 4), 1),
    "credit_over_capacity": (lambda p: V.credit_invalid_member(p, 3), 5),
    "inflate_sum": (lambda p: V.inflate_sum(p), 2),
    "duplicate_member": (lambda p: V.duplicate_member(p, 6), 3),
}


@pytest.mark.parametrize("name", sorted(CHEATS))
def test_verifier_calldata_undoes_each_cheat(chain, twelve, tmp_path, name):
    build, kind = CHEATS[name]
    cheat = build(twelve.period)
    setup_program(chain, twelve.enrollment)
    logged = submit(chain, cheat.tree.root_node, len(cheat.results), JUNE_2025, chain.oracles[0])
    archived = load_archive(
        tmp_path, write_archive(tmp_path, twelve.period, tree=cheat.tree, results=cheat.results)
    )
    verdict = V.verify_period(archived, chain_facts(archived, logged))
    assert not verdict.ok and verdict.proof is not None
    assert next(f for f in verdict.findings if f.proof is not None).kind == kind
    before = boa.env.get_balance(chain.prover)
    contract = send(chain, verdict.proof, chain.prover)
    (proven,) = events(contract, "ProgramFraudProven")
    assert (proven["report_id"], proven["kind"], proven["challenger"]) == (
        logged["report_id"],
        kind,
        chain.prover,
    )
    (undone,) = events(contract, "ReportUndone")
    assert (undone["reason"], undone["by"]) == (FRAUD_PROVEN, chain.prover)
    assert boa.env.get_balance(chain.prover) == before + REPORT_BOND
    assert chain.programs.is_slashed(chain.oracles[0])
    assert chain.programs.pending_report(PROGRAM_ID)[0] == 0


def test_lower_ytd_is_proven_with_the_earlier_finalized_report(chain, tmp_path):
    """Two months of four households: May finalized; June claims ytd as if May never was."""
    sim, path = simulate(chain, tmp_path, 4, JULY_2025, 4)
    setup_program(chain, sim.enrollment)
    may = compute(chain, path, sim.enrollment, MAY_2025, JUNE_2025)
    logged_may = submit(chain, may.tree.root_node, may.member_count, JUNE_2025, chain.oracles[0])
    may_archive = load_archive(tmp_path / "may", write_archive(tmp_path / "may", may))
    may_facts = chain_facts(may_archive, logged_may)
    boa.env.time_travel(seconds=86400)
    chain.programs.finalize(may_facts.as_tuple())
    previous = PreviousReport(JUNE_2025, 2025, may.ytd())
    june = compute(chain, path, sim.enrollment, JUNE_2025, JULY_2025, previous)
    assert all(r.ytd_credited_g > r.credited_g for r in june.results)
    cheat = V.lower_ytd(june, 2)
    logged = submit(chain, cheat.tree.root_node, june.member_count, JULY_2025, chain.oracles[0])
    archived = load_archive(
        tmp_path / "june",
        write_archive(tmp_path / "june", june, tree=cheat.tree, results=cheat.results),
    )
    earlier = V.EarlierReport(may_archive, logged_may["report_id"])
    verdict = V.verify_period(archived, chain_facts(archived, logged), earlier=earlier)
    assert verdict.proof is not None and verdict.proof.function == "prove_cap"
    contract = send(chain, verdict.proof, chain.prover)
    (proven,) = events(contract, "ProgramFraudProven")
    assert proven["kind"] == 6
    assert chain.programs.pending_report(PROGRAM_ID)[0] == 0
