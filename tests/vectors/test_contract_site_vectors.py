"""Registry and MonitoringReports reproduce every shared site-rule vector (site_vectors.json).

Each vector becomes a project with its meters (and its declared battery), monitored from the
vector's period start; its first report carries the start registers and the end registers. A
valid vector's claim is accepted and credited exactly; an invalid one is refused as a non-void
report with its problem and accepted as void; a refused site cannot report at all, not even void.
"""

import json
from pathlib import Path

import boa
import pytest

from jcredit.types import MeterKind
from tests.contracts.contract_world import (
    DAY,
    Project,
    deploy_world,
    events,
    load_factories,
    make_actors,
    token_id,
)
from tests.vectors.test_contract_vectors import fiscal_year_bounds

SITE = json.loads((Path(__file__).parent / "site_vectors.json").read_text())


@pytest.fixture(scope="module")
def deployed():
    return deploy_world(load_factories(), make_actors(), launch=False)


@pytest.fixture
def world(deployed):
    with boa.env.anchor():
        yield deployed


def _kind(name: str) -> int:
    return int(MeterKind.from_name(name))


def monitored(world, vector: dict) -> Project:
    start = vector["period_start"]
    boa.env.timestamp = start
    fy_start, fy_end = fiscal_year_bounds(vector["fiscal_year"])
    with boa.env.prank(world.actors.admin):
        world.registry.set_emission_factor(
            vector["fiscal_year"], vector["factor_g_per_mwh"], fy_start, fy_end
        )
        world.registry.launch()
        world.credit.launch()
    meters = vector["meters"]
    project = world.monitored_project(
        kinds=tuple(_kind(kind) for kind in meters),
        battery=vector["battery"],
        baselines={_kind(kind): registers[0] for kind, registers in meters.items()},
        start=start,
        capacity_w=vector["capacity_w"],
        commissioning=start - DAY,
        crediting_start=start,
    )
    boa.env.timestamp = vector["period_end"]
    return project


def submit(world, project: Project, vector: dict, wh: int, g: int, void: bool = False):
    ends = {_kind(kind): registers[1] for kind, registers in vector["meters"].items()}
    return world.submit(project, vector["period_end"], ends, wh, g, void=void)


def test_threshold__is_the_registrys_constant(world):
    assert world.registry.DIFFERENCE_METERING_MAX_W() == SITE["scheme"]["difference_metering_max_w"]


@pytest.mark.parametrize("vector", SITE["vectors"], ids=lambda v: v["name"])
def test_site_vector__submit_report_agrees(world, vector):
    expected = vector["expected"]
    project = monitored(world, vector)
    if "error" in expected:
        with boa.reverts(f"reports: {expected['error']}"):
            submit(world, project, vector, 0, 0, void=True)
        return
    if not expected["valid"]:
        with boa.reverts(f"reports: {expected['problem']}"):
            submit(world, project, vector, 1, 0)
        submission = submit(world, project, vector, 0, 0, void=True)
        assert submission.facts.void
        return
    submission = submit(
        world, project, vector, expected["self_consumed_wh"], expected["reduction_g"]
    )
    assert [period.kind for period in submission.facts.meters] == sorted(
        _kind(kind) for kind in vector["meters"]
    )
    world.finalize(submission)
    (finalized,) = events(world.reports, "ReportFinalized")
    assert (finalized["minted_t"], finalized["carry_g"]) == divmod(expected["reduction_g"], 10**6)
    tid = token_id(project.project_id, vector["fiscal_year"])
    assert world.credit.balanceOf(world.actors.owner, tid) == expected["reduction_g"] // 10**6
