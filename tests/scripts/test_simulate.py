"""simulate: a registered project's signed meter data, bound to this chain and Registry, and the
exact commands that register and approve its meters (run here as printed)."""

import json
import shlex

from tests.scripts.runner import NETWORK, ok, refused

OWNER = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"


def test_simulate__writes_a_site_prints_working_meter_commands_and_refuses_bad_input(
    run, deployments_dir, tmp_path
):
    from ape import project

    from jcredit.eip712 import domain_separator, recover, registration_digest
    from oracles.intake import check_signatures, load_source
    from oracles.site import load_site

    ok(run("deploy", "--force"))
    deployed = json.loads((deployments_dir / "ethereum-local.json").read_text())
    registry = project.Registry.at(deployed["registry"])
    ok(
        run(
            "project",
            "register",
            "--capacity-w",
            "12000",
            "--commissioning-date",
            "2025-04-01",
            "--application-date",
            "2025-04-01",
        )
    )
    project_id = registry.project_count()

    out = ok(run("simulate", "--project", str(project_id), "--fiscal-year", "2025",
                 "--out", str(tmp_path)))  # fmt: skip
    site = load_site(tmp_path / "site.json")
    assert (site.project_id, site.capacity_w) == (project_id, 12000)
    # Above 10 kW the plant meters its self-consumption directly (beside generation and export).
    assert sorted(m.kind for m in site.meters) == ["export", "generation", "self_consumption"]
    separator = domain_separator(1337, registry.address)
    for meter in site.meters:
        assert meter.address in out and meter.interval_seconds == 1800
        # Each meter signed its registration by the project's owner for this Registry.
        digest = registration_digest(separator, project_id, OWNER, meter.serial)
        assert recover(digest, meter.registration_signature) == meter.address
    # Every reading is signed for this chain id and Registry: nothing is refused.
    readings, batches, raw = load_source(site)
    intake = check_signatures(site, readings, batches, 1337, registry.address, raw)
    assert intake.refusals == []
    # 365 days of 48 half-hours, plus the reading at the start, per meter (three meters)
    assert len(intake.readings) == 3 * (365 * 48 + 1)

    # The printed commands work as printed: the owner registers, the validator approves.
    commands = [line.strip() for line in out.splitlines() if line.strip().startswith("ape run ")]
    assert len(commands) == 6  # register and approve each meter
    for command in commands:
        words = shlex.split(command)
        assert words[:2] == ["ape", "run"] and words[-2:] == ["--network", NETWORK]
        ok(run(*words[2:-2]))
    for meter in site.meters:
        stored = registry.meters(meter.address)
        assert (stored.project_id, stored.status, stored.serial) == (project_id, 2, meter.serial)

    unknown = refused(run("simulate", "--project", "99", "--fiscal-year", "2025"))
    assert "unknown project 99" in unknown
    future = refused(run("simulate", "--project", str(project_id), "--fiscal-year", "2030"))
    assert "FY2030 ends 2031-04-01T00:00:00+09:00, after the chain's time" in future
