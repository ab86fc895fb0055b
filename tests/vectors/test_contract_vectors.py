"""MonitoringReports.submit_report reproduces every shared, hand-computed report vector.

Each vector becomes a project with a generation and an export meter, monitored from the vector's
period start; its first report carries the vector's start registers as start readings and the
vector's end registers as end readings. A valid vector's claim must be accepted and, once the
window is over, credited exactly (whole tonnes minted, the rest carried); an invalid one must be
refused as a non-void report with the vector's problem in the revert message, and accepted as a
void report (its problem shows in the boundary readings, so no recorded violation is needed).
"""

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import boa
import pytest

from tests.contracts.contract_world import (
    DAY,
    EXPORT,
    GENERATION,
    Project,
    deploy_world,
    events,
    load_factories,
    make_actors,
    token_id,
)

VECTORS = json.loads((Path(__file__).parent / "report_vectors.json").read_text())["vectors"]
JST = timezone(timedelta(hours=9))


def fiscal_year_bounds(fiscal_year: int) -> tuple[int, int]:
    """[April 1st 00:00 JST of the year, of the next year), from the calendar."""
    start = datetime(fiscal_year, 4, 1, tzinfo=JST)
    end = datetime(fiscal_year + 1, 4, 1, tzinfo=JST)
    return int(start.timestamp()), int(end.timestamp())


@pytest.fixture(scope="module")
def deployed():
    """Not launched: each test sets its vector's factor at once, then launches."""
    return deploy_world(load_factories(), make_actors(), launch=False)


@pytest.fixture
def world(deployed):
    with boa.env.anchor():
        yield deployed


def monitored(world, vector: dict) -> Project:
    start, end = vector["period_start"], vector["period_end"]
    boa.env.timestamp = start
    fy_start, fy_end = fiscal_year_bounds(vector["fiscal_year"])
    with boa.env.prank(world.actors.admin):
        world.registry.set_emission_factor(
            vector["fiscal_year"], vector["factor_g_per_mwh"], fy_start, fy_end
        )
        world.registry.launch()
        world.credit.launch()
    project = world.monitored_project(
        baselines={
            GENERATION: vector["generation_start_wh"],
            EXPORT: vector["export_start_wh"],
        },
        start=start,
        capacity_w=vector["capacity_w"],
        commissioning=start - DAY,
        crediting_start=start,
    )
    boa.env.timestamp = end
    return project


def end_registers(vector: dict) -> dict[int, int]:
    return {GENERATION: vector["generation_end_wh"], EXPORT: vector["export_end_wh"]}


@pytest.mark.parametrize(
    "vector", [v for v in VECTORS if v["expected"]["valid"]], ids=lambda v: v["name"]
)
def test_valid_vector__accepted_and_credited_exactly(world, vector):
    expected = vector["expected"]
    project = monitored(world, vector)
    submission = world.submit(
        project,
        vector["period_end"],
        end_registers(vector),
        expected["self_consumed_wh"],
        expected["reduction_g"],
        fiscal_year=vector["fiscal_year"],
    )
    facts = submission.facts
    assert (facts.self_consumed_wh, facts.reduction_g) == (
        expected["self_consumed_wh"],
        expected["reduction_g"],
    )
    world.finalize(submission)
    (finalized,) = events(world.reports, "ReportFinalized")
    assert (finalized["minted_t"], finalized["carry_g"]) == divmod(expected["reduction_g"], 10**6)
    tid = token_id(project.project_id, vector["fiscal_year"])
    assert world.credit.balanceOf(world.actors.owner, tid) == expected["reduction_g"] // 1_000_000
    assert world.reports.next_period_start(project.project_id) == vector["period_end"]


@pytest.mark.parametrize(
    "vector", [v for v in VECTORS if not v["expected"]["valid"]], ids=lambda v: v["name"]
)
def test_invalid_vector__non_void_refused_with_its_check_and_void_accepted(world, vector):
    expected = vector["expected"]
    project = monitored(world, vector)
    generation = vector["generation_end_wh"] - vector["generation_start_wh"]
    export = vector["export_end_wh"] - vector["export_start_wh"]
    claimed_wh = max(generation - export, 0)
    claimed_g = claimed_wh * vector["factor_g_per_mwh"] // 1_000_000
    # The contract's check names are "reports: " + the methodology's problem names.
    with boa.reverts(f"reports: {expected['problem']}"):
        world.submit(
            project,
            vector["period_end"],
            end_registers(vector),
            claimed_wh,
            claimed_g,
            fiscal_year=vector["fiscal_year"],
        )
    submission = world.submit(
        project,
        vector["period_end"],
        end_registers(vector),
        0,
        0,
        fiscal_year=vector["fiscal_year"],
        void=True,
    )
    assert submission.facts.void
    world.finalize(submission)
    assert world.reports.next_period_start(project.project_id) == vector["period_end"]
    assert world.credit.total_supply(token_id(project.project_id, vector["fiscal_year"])) == 0


# ---- crediting period --------------------------------------------------------------------------

CREDITING = json.loads((Path(__file__).parent / "crediting_vectors.json").read_text())
MAX_AGE = 731 * DAY


def test_crediting_vector_constants__are_the_registrys(world):
    scheme = CREDITING["scheme"]
    assert world.registry.CREDITING_YEARS() == scheme["crediting_years"]
    end = int(datetime.fromisoformat(scheme["scheme_end"]).timestamp())
    assert world.registry.SCHEME_END() == end


@pytest.mark.parametrize("vector", CREDITING["vectors"], ids=lambda v: v["name"])
def test_crediting_vector__register_project_derives_the_same_period(world, vector):
    """Registered at the later of the two dates (the application is never in the future) and
    commissioned at the earlier one (monitoring never before commissioning, within 2 years)."""
    application = int(datetime.fromisoformat(vector["application"]).timestamp())
    monitoring = int(datetime.fromisoformat(vector["monitoring"]).timestamp())
    boa.env.timestamp = max(application, monitoring)
    commissioning = min(application, monitoring)
    assert boa.env.timestamp - commissioning <= MAX_AGE, "vector outside the 2-year start rule"
    args = (10_000, commissioning, application, monitoring, "EN-R-002", "")
    expected = vector["expected"]
    with boa.env.prank(world.actors.owner):
        if "error" in expected:
            with boa.reverts(f"registry: {expected['error']}"):
                world.registry.register_project(*args)
            return
        project_id = world.registry.register_project(*args)
    project = world.registry.projects(project_id)
    assert (project.crediting_start, project.crediting_end) == (
        int(datetime.fromisoformat(expected["start"]).timestamp()),
        int(datetime.fromisoformat(expected["end"]).timestamp()),
    )
