"""Meters on the Registry: registered by the project owner with the meter's own EIP-712
MeterRegistration signature, approved by a validator who confirms the serial and the certification
expiry (the meter takes its serial then: pending meters hold none, so two may share one and only
one is ever approved), revoked by the owner or a validator (an approved meter frees its serial),
and registered again (a new `registration`) after revocation, whose old readings are then no
baseline. Includes the "meter squatting" attacks of an outsider."""

import boa
import pytest
from eth_utils import keccak

from tests.contracts.contract_world import (
    CERT_EXPIRY,
    DAY,
    EXPORT,
    GENERATION,
    INTERVAL,
    JUNE_2025,
    MAY_2025,
    METER_APPROVED,
    METER_PENDING,
    METER_REVOKED,
    NOW,
    SELF_CONSUMPTION,
    ZERO_ADDRESS,
    Project,
    events,
    meter_key,
)
from tests.contracts.meter_signing import Domain, Meter
from tests.contracts.report_world import APRIL, MAY, MAY_G, MAY_SC

VICTIM_METER = Meter(meter_key(0xA001))
OTHER_METER = Meter(meter_key(0xA002))
SQUATTER_KEY = Meter(meter_key(0xBAD))
SERIAL = "JP-SN-000123"


def register_meter(
    world,
    project_id,
    meter=VICTIM_METER,
    kind=GENERATION,
    serial=SERIAL,
    expiry=CERT_EXPIRY,
    interval=INTERVAL,
    sender=None,
    signature=None,
    address=None,
):
    """register_meter as `sender` (default the owner) with the meter's registration signature for
    (project_id, sender, serial) unless another `signature` is given."""
    sender = sender or world.actors.owner
    if signature is None:
        signature = meter.sign_registration(world.domain, project_id, sender, serial)
    with boa.env.prank(sender):
        world.registry.register_meter(
            project_id, address or meter.address, kind, serial, expiry, interval, signature
        )


def approve(world, meter=VICTIM_METER, expiry=CERT_EXPIRY, validator=None):
    with boa.env.prank(validator or world.actors.validator):
        world.registry.approve_meter(meter.address, expiry)


def revoke(world, meter=VICTIM_METER, sender=None):
    with boa.env.prank(sender or world.actors.owner):
        world.registry.revoke_meter(meter.address)


def serial_key(serial: str) -> bytes:
    return keccak(serial.encode())


# ---- register_meter ---------------------------------------------------------------------------


def test_register_meter__signed_by_the_meter__stores_pending_and_logs(world, actors):
    project_id = world.register_project()
    register_meter(world, project_id, kind=EXPORT, interval=900)
    assert events(world.registry, "MeterRegistered") == [
        {
            "address": world.registry.address,
            "meter": VICTIM_METER.address,
            "project_id": project_id,
            "kind": EXPORT,
            "serial": SERIAL,
            "certification_expiry": CERT_EXPIRY,
            "interval_seconds": 900,
            "registration": 1,
        }
    ]
    assert world.registry.meters(VICTIM_METER.address) == (
        project_id,
        EXPORT,
        METER_PENDING,
        SERIAL,
        CERT_EXPIRY,
        900,
        1,
    )
    assert world.registry.kind_meter(project_id, EXPORT) == VICTIM_METER.address
    # Pending: it holds no serial (a validator has not confirmed it) and is not a kind the
    # project reports yet.
    assert world.registry.serial_meter(serial_key(SERIAL)) == ZERO_ADDRESS
    assert world.registry.projects(project_id).active_meter_kinds == 0


def test_register_meter__suspended_project__accepted(world, actors):
    project_id = world.register_project()
    with boa.env.prank(actors.validator):
        world.registry.approve_project(project_id)
        world.registry.suspend_project(project_id, "audit")
    register_meter(world, project_id)
    assert world.registry.meters(VICTIM_METER.address).status == METER_PENDING


def _sig_by_another_key(world, project_id, owner, factories):
    return OTHER_METER.sign_registration(world.domain, project_id, owner, SERIAL)


def _sig_for_another_project(world, project_id, owner, factories):
    return VICTIM_METER.sign_registration(world.domain, project_id + 1, owner, SERIAL)


def _sig_for_another_owner(world, project_id, owner, factories):
    return VICTIM_METER.sign_registration(world.domain, project_id, world.actors.holder, SERIAL)


def _sig_for_another_serial(world, project_id, owner, factories):
    return VICTIM_METER.sign_registration(world.domain, project_id, owner, SERIAL + "X")


def _sig_for_another_chain(world, project_id, owner, factories):
    domain = Domain(world.domain.chain_id + 1, world.domain.registry)
    return VICTIM_METER.sign_registration(domain, project_id, owner, SERIAL)


def _sig_for_another_registry(world, project_id, owner, factories):
    other_registry = factories.registry.deploy()
    domain = Domain(world.domain.chain_id, other_registry.address)
    return VICTIM_METER.sign_registration(domain, project_id, owner, SERIAL)


@pytest.mark.parametrize(
    "forge",
    [
        _sig_by_another_key,
        _sig_for_another_project,
        _sig_for_another_owner,
        _sig_for_another_serial,
        _sig_for_another_chain,
        _sig_for_another_registry,
    ],
    ids=["another_key", "another_project", "another_owner", "another_serial", "another_chain",
         "another_registry"],
)  # fmt: skip
def test_register_meter__signature_not_for_this_registration__reverts(
    world, actors, factories, forge
):
    project_id = world.register_project()
    world.register_project()  # project_id + 1 exists and is the owner's too
    signature = forge(world, project_id, actors.owner, factories)
    with boa.reverts("registry: meter did not sign registration"):
        register_meter(world, project_id, signature=signature)
    assert world.registry.meters(VICTIM_METER.address).registration == 0
    assert world.registry.serial_meter(serial_key(SERIAL)) == ZERO_ADDRESS


def test_register_meter__empty_signature__reverts(world, actors):
    project_id = world.register_project()
    with boa.reverts("registry: meter did not sign registration"):
        register_meter(world, project_id, signature=b"")


def test_register_meter__serial_of_an_approved_meter__reverts(world, actors):
    project_id = world.register_project()
    register_meter(world, project_id, kind=GENERATION)
    approve(world)
    with boa.reverts("registry: serial registered"):
        register_meter(world, project_id, meter=OTHER_METER, kind=EXPORT)
    assert world.registry.meters(OTHER_METER.address).registration == 0
    assert world.registry.kind_meter(project_id, EXPORT) == ZERO_ADDRESS


def test_register_meter__serial_of_a_pending_meter__both_pending_neither_holds_it(world, actors):
    """Registering takes no serial: a second meter with the same serial is registered (and
    logged) next to the first, and the serial stays free until a validator approves one."""
    project_id = world.register_project()
    register_meter(world, project_id, kind=GENERATION)
    register_meter(world, project_id, meter=OTHER_METER, kind=EXPORT)
    assert events(world.registry, "MeterRegistered") == [
        {
            "address": world.registry.address,
            "meter": OTHER_METER.address,
            "project_id": project_id,
            "kind": EXPORT,
            "serial": SERIAL,
            "certification_expiry": CERT_EXPIRY,
            "interval_seconds": INTERVAL,
            "registration": 1,
        }
    ]
    for meter in (VICTIM_METER, OTHER_METER):
        assert world.registry.meters(meter.address).status == METER_PENDING
        assert world.registry.meters(meter.address).serial == SERIAL
    assert world.registry.serial_meter(serial_key(SERIAL)) == ZERO_ADDRESS


def test_register_meter__serial_of_a_revoked_meter__free_again(world, actors):
    project_id = world.register_project()
    register_meter(world, project_id, kind=GENERATION)
    approve(world)
    assert world.registry.serial_meter(serial_key(SERIAL)) == VICTIM_METER.address
    revoke(world)
    assert world.registry.serial_meter(serial_key(SERIAL)) == ZERO_ADDRESS
    register_meter(world, project_id, meter=OTHER_METER, kind=GENERATION)
    approve(world, meter=OTHER_METER)
    (logged,) = events(world.registry, "MeterApproved")
    assert (logged["meter"], logged["project_id"]) == (OTHER_METER.address, project_id)
    assert world.registry.serial_meter(serial_key(SERIAL)) == OTHER_METER.address
    assert world.registry.meters(OTHER_METER.address).serial == SERIAL


@pytest.mark.parametrize("interval", [60, 3600])
def test_register_meter__interval_at_bounds__accepted(world, interval):
    project_id = world.register_project()
    register_meter(world, project_id, interval=interval)
    assert world.registry.meters(VICTIM_METER.address).interval_seconds == interval
    assert (world.registry.MIN_INTERVAL_SECONDS(), world.registry.MAX_INTERVAL_SECONDS()) == (
        60,
        3600,
    )


@pytest.mark.parametrize("interval", [0, 59, 3601, 86400])
def test_register_meter__interval_out_of_bounds__reverts(world, interval):
    project_id = world.register_project()
    with boa.reverts("registry: bad meter interval"):
        register_meter(world, project_id, interval=interval)


def test_register_meter__expiry_one_second_ahead__accepted(world):
    project_id = world.register_project()
    register_meter(world, project_id, expiry=NOW + 1)
    assert world.registry.meters(VICTIM_METER.address).certification_expiry == NOW + 1


@pytest.mark.parametrize("expiry", [NOW, NOW - 1, 0])
def test_register_meter__expiry_not_in_the_future__reverts(world, expiry):
    project_id = world.register_project()
    with boa.reverts("registry: expiry in the past"):
        register_meter(world, project_id, expiry=expiry)


def test_register_meter__kind_taken_by_pending_meter__reverts_free_after_revocation(world):
    project_id = world.register_project()
    register_meter(world, project_id, kind=GENERATION)
    with boa.reverts("registry: meter kind taken"):
        register_meter(world, project_id, meter=OTHER_METER, kind=GENERATION, serial="SN-2")
    revoke(world)
    register_meter(world, project_id, meter=OTHER_METER, kind=GENERATION, serial="SN-2")
    assert world.registry.kind_meter(project_id, GENERATION) == OTHER_METER.address


@pytest.mark.parametrize("kind", [0, GENERATION | EXPORT, GENERATION | SELF_CONSUMPTION, 7])
def test_register_meter__not_exactly_one_kind__reverts(world, kind):
    project_id = world.register_project()
    with boa.reverts("registry: invalid meter kind"):
        register_meter(world, project_id, kind=kind)


def test_register_meter__zero_address__reverts(world):
    project_id = world.register_project()
    with boa.reverts("registry: zero meter address"):
        register_meter(world, project_id, address=ZERO_ADDRESS, signature=b"")


def test_register_meter__empty_serial__reverts(world):
    project_id = world.register_project()
    with boa.reverts("registry: empty serial"):
        register_meter(world, project_id, serial="")


@pytest.mark.parametrize("approved", [False, True])
def test_register_meter__address_active_elsewhere__reverts(world, actors, approved):
    project_id = world.register_project()
    other_project = world.register_project()
    register_meter(world, project_id)
    if approved:
        approve(world)
    with boa.reverts("registry: meter registered"):
        register_meter(world, other_project, kind=EXPORT, serial="SN-2")


@pytest.mark.parametrize("caller", ["stranger", "validator", "admin", "oracle"])
def test_register_meter__not_the_project_owner__reverts(world, actors, caller):
    project_id = world.register_project()
    with boa.reverts("registry: not the project owner"):
        register_meter(world, project_id, sender=getattr(actors, caller))


def test_register_meter__unknown_project__reverts(world, actors):
    with boa.reverts("registry: not the project owner"):
        register_meter(world, 5)


def test_register_meter__rejected_project__reverts(world, actors):
    project_id = world.register_project()
    with boa.env.prank(actors.validator):
        world.registry.reject_project(project_id, "not eligible")
    with boa.reverts("registry: project rejected"):
        register_meter(world, project_id)


# ---- meter squatting: what an outsider can try ------------------------------------------------


def test_register_meter__stranger_squats_victim_address_without_its_signature__reverts(
    world, actors
):
    """A stranger registers a throwaway project and tries to claim the victim's meter address
    there: signing with its own key, replaying the victim's registration signature seen in the
    mempool, or sending nothing: each is refused, and the victim then registers its meter."""
    victim_project = world.register_project()
    throwaway = world.register_project(owner=actors.stranger)
    victims_signature = VICTIM_METER.sign_registration(
        world.domain, victim_project, actors.owner, SERIAL
    )
    for signature in (
        SQUATTER_KEY.sign_registration(world.domain, throwaway, actors.stranger, SERIAL),
        victims_signature,
        b"",
    ):
        with boa.reverts("registry: meter did not sign registration"):
            register_meter(world, throwaway, sender=actors.stranger, signature=signature)
    # The victim's own signature cannot be used on the victim's project by the stranger either.
    with boa.reverts("registry: not the project owner"):
        register_meter(world, victim_project, sender=actors.stranger, signature=victims_signature)
    register_meter(world, victim_project, signature=victims_signature)
    (logged,) = events(world.registry, "MeterRegistered")
    assert (logged["meter"], logged["project_id"]) == (VICTIM_METER.address, victim_project)
    assert world.registry.meters(VICTIM_METER.address).project_id == victim_project


def test_register_meter__stranger_squats_victims_serial__victim_still_registers(world, actors):
    """A stranger registers a throwaway project and a key of its own with the victim's serial
    (the serial is signed by whatever key registers it). That blocks nobody: the victim registers
    its meter, the validator who checks the serial approves the victim's, and the squatter's
    meter can then never be approved."""
    victim_project = world.register_project()
    throwaway = world.register_project(owner=actors.stranger)
    register_meter(world, throwaway, meter=SQUATTER_KEY, sender=actors.stranger)
    register_meter(world, victim_project)
    (logged,) = events(world.registry, "MeterRegistered")
    assert (logged["meter"], logged["project_id"], logged["serial"]) == (
        VICTIM_METER.address,
        victim_project,
        SERIAL,
    )
    approve(world)
    assert world.registry.serial_meter(serial_key(SERIAL)) == VICTIM_METER.address
    with boa.reverts("registry: serial registered"):
        approve(world, meter=SQUATTER_KEY)
    assert world.registry.meters(SQUATTER_KEY.address).status == METER_PENDING
    assert world.registry.projects(throwaway).active_meter_kinds == 0


def test_revoke_meter__squatter_revokes_its_pending_meter__victims_serial_stays_held(world, actors):
    """The squatter's pending meter with the victim's serial is revoked by the squatter after the
    victim's meter was approved: revoking a meter that never held the serial must not free it
    (else a third meter could then be registered and approved with it)."""
    victim_project = world.register_project()
    throwaway = world.register_project(owner=actors.stranger)
    register_meter(world, throwaway, meter=SQUATTER_KEY, sender=actors.stranger)
    register_meter(world, victim_project)
    approve(world)
    revoke(world, meter=SQUATTER_KEY, sender=actors.stranger)
    (logged,) = events(world.registry, "MeterRevoked")
    assert (logged["meter"], logged["sender"]) == (SQUATTER_KEY.address, actors.stranger)
    assert world.registry.serial_meter(serial_key(SERIAL)) == VICTIM_METER.address
    with boa.reverts("registry: serial registered"):
        register_meter(world, throwaway, meter=OTHER_METER, sender=actors.stranger)


def test_register_meter__squatter_approved_by_mistake__victim_waits_until_a_validator_revokes_it(
    world, actors
):
    """If a validator approves the squatter's meter (it did not check the serial), the serial is
    taken: the victim's registration is refused until a validator revokes the squatter's meter,
    which frees the serial."""
    victim_project = world.register_project()
    throwaway = world.register_project(owner=actors.stranger)
    register_meter(world, throwaway, meter=SQUATTER_KEY, sender=actors.stranger)
    approve(world, meter=SQUATTER_KEY)
    with boa.reverts("registry: serial registered"):
        register_meter(world, victim_project)
    with boa.env.prank(actors.validator):
        world.registry.revoke_meter(SQUATTER_KEY.address)
    (revoked,) = events(world.registry, "MeterRevoked")
    assert (revoked["meter"], revoked["sender"]) == (SQUATTER_KEY.address, actors.validator)
    assert world.registry.serial_meter(serial_key(SERIAL)) == ZERO_ADDRESS
    register_meter(world, victim_project)
    approve(world)
    (approved,) = events(world.registry, "MeterApproved")
    assert (approved["meter"], approved["project_id"]) == (VICTIM_METER.address, victim_project)
    assert world.registry.serial_meter(serial_key(SERIAL)) == VICTIM_METER.address


# ---- approve_meter ----------------------------------------------------------------------------


def test_approve_meter__validator_with_registered_expiry__approves_adds_kind_and_logs(
    world, actors
):
    project_id = world.register_project()
    register_meter(world, project_id, kind=SELF_CONSUMPTION)
    approve(world, validator=actors.second_validator)
    assert events(world.registry, "MeterApproved") == [
        {
            "address": world.registry.address,
            "meter": VICTIM_METER.address,
            "project_id": project_id,
            "validator": actors.second_validator,
            "certification_expiry": CERT_EXPIRY,
        }
    ]
    assert world.registry.meters(VICTIM_METER.address).status == METER_APPROVED
    assert world.registry.serial_meter(serial_key(SERIAL)) == VICTIM_METER.address
    assert world.registry.projects(project_id).active_meter_kinds == SELF_CONSUMPTION
    assert (
        world.registry.project_meters(project_id)
        == [
            ZERO_ADDRESS,
            ZERO_ADDRESS,
            VICTIM_METER.address,
        ]
        + [ZERO_ADDRESS] * 3
    )


def test_approve_meter__takes_the_serial__a_second_meter_with_it_is_refused(world, actors):
    """Two pending meters of two owners share a serial; the first approved takes it, the other's
    approval is refused until the holder is revoked."""
    first = world.register_project()
    second = world.register_project(owner=actors.holder)
    register_meter(world, first)
    register_meter(world, second, meter=OTHER_METER, sender=actors.holder)
    approve(world, meter=OTHER_METER)
    (logged,) = events(world.registry, "MeterApproved")
    assert (logged["meter"], logged["project_id"]) == (OTHER_METER.address, second)
    assert world.registry.serial_meter(serial_key(SERIAL)) == OTHER_METER.address
    with boa.reverts("registry: serial registered"):
        approve(world, validator=actors.second_validator)
    assert world.registry.meters(VICTIM_METER.address).status == METER_PENDING
    assert world.registry.projects(first).active_meter_kinds == 0
    revoke(world, meter=OTHER_METER, sender=actors.holder)
    approve(world, validator=actors.second_validator)
    assert world.registry.serial_meter(serial_key(SERIAL)) == VICTIM_METER.address
    assert world.registry.projects(first).active_meter_kinds == GENERATION


def test_approve_meter__certification_expires_in_one_second__approved(world):
    project_id = world.register_project()
    register_meter(world, project_id, expiry=NOW + 1)
    approve(world, expiry=NOW + 1)
    (logged,) = events(world.registry, "MeterApproved")
    assert logged["certification_expiry"] == NOW + 1
    assert world.registry.meters(VICTIM_METER.address).status == METER_APPROVED


@pytest.mark.parametrize("after", [0, 1, 30 * DAY])
def test_approve_meter__certification_expired_while_pending__reverts(world, after):
    """Registered with a certificate valid one more second; by the time the validator gets to it
    (at its expiry or later) the meter may no longer be approved: its readings would all be
    refused anyway, and it would take a serial and a kind."""
    project_id = world.register_project()
    register_meter(world, project_id, expiry=NOW + 1)
    boa.env.timestamp = NOW + 1 + after
    with boa.reverts("registry: certification expired"):
        approve(world, expiry=NOW + 1)
    assert world.registry.meters(VICTIM_METER.address).status == METER_PENDING
    assert world.registry.serial_meter(serial_key(SERIAL)) == ZERO_ADDRESS


def test_approve_meter__project_rejected_while_meter_pending__reverts(world, actors):
    """The meter was registered while its project was pending; the project was then rejected
    for good: its meter may not be approved (it would take the serial from a real project)."""
    project_id = world.register_project()
    register_meter(world, project_id)
    with boa.env.prank(actors.validator):
        world.registry.reject_project(project_id, "not eligible")
    with boa.reverts("registry: project rejected"):
        approve(world)
    assert world.registry.meters(VICTIM_METER.address).status == METER_PENDING
    assert world.registry.serial_meter(serial_key(SERIAL)) == ZERO_ADDRESS
    assert world.registry.projects(project_id).active_meter_kinds == 0


@pytest.mark.parametrize("project_state", ["pending", "suspended"])
def test_approve_meter__project_pending_or_suspended__approved(world, actors, project_state):
    project_id = world.register_project()
    if project_state == "suspended":
        with boa.env.prank(actors.validator):
            world.registry.approve_project(project_id)
            world.registry.suspend_project(project_id, "audit")
    register_meter(world, project_id)
    approve(world)
    (logged,) = events(world.registry, "MeterApproved")
    assert (logged["meter"], logged["project_id"]) == (VICTIM_METER.address, project_id)
    assert world.registry.serial_meter(serial_key(SERIAL)) == VICTIM_METER.address


@pytest.mark.parametrize("expiry", [CERT_EXPIRY - 1, CERT_EXPIRY + 1, 0])
def test_approve_meter__other_expiry_than_registered__reverts(world, expiry):
    project_id = world.register_project()
    register_meter(world, project_id)
    with boa.reverts("registry: expiry mismatch"):
        approve(world, expiry=expiry)
    assert world.registry.meters(VICTIM_METER.address).status == METER_PENDING


@pytest.mark.parametrize("caller", ["stranger", "owner", "admin", "oracle"])
def test_approve_meter__not_a_validator__reverts(world, actors, caller):
    project_id = world.register_project()
    register_meter(world, project_id)
    with boa.reverts("roles: caller is not a validator"):
        approve(world, validator=getattr(actors, caller))


@pytest.mark.parametrize("state", ["unknown", "approved", "revoked"])
def test_approve_meter__not_pending__reverts(world, state):
    if state != "unknown":
        project_id = world.register_project()
        register_meter(world, project_id)
        approve(world) if state == "approved" else revoke(world)
    with boa.reverts("registry: meter not pending"):
        approve(world)


# ---- revoke_meter -----------------------------------------------------------------------------


@pytest.mark.parametrize("revoker", ["owner", "validator", "second_validator"])
def test_revoke_meter__approved_meter__revokes_frees_kind_serial_and_logs(world, actors, revoker):
    project = world.approved_project()
    export = project.meters[EXPORT].address
    serial = world.registry.meters(export).serial
    with boa.env.prank(getattr(actors, revoker)):
        world.registry.revoke_meter(export)
    assert events(world.registry, "MeterRevoked") == [
        {
            "address": world.registry.address,
            "meter": export,
            "project_id": project.project_id,
            "sender": getattr(actors, revoker),
        }
    ]
    assert world.registry.meters(export).status == METER_REVOKED
    assert world.registry.projects(project.project_id).active_meter_kinds == GENERATION
    assert world.registry.kind_meter(project.project_id, EXPORT) == ZERO_ADDRESS
    assert world.registry.serial_meter(serial_key(serial)) == ZERO_ADDRESS


def test_revoke_meter__pending_meter__revokes_without_touching_kinds(world, actors, project):
    register_meter(world, project.project_id, kind=SELF_CONSUMPTION)
    revoke(world)
    assert events(world.registry, "MeterRevoked") == [
        {
            "address": world.registry.address,
            "meter": VICTIM_METER.address,
            "project_id": project.project_id,
            "sender": actors.owner,
        }
    ]
    assert world.registry.meters(VICTIM_METER.address).status == METER_REVOKED
    assert world.registry.projects(project.project_id).active_meter_kinds == GENERATION | EXPORT


@pytest.mark.parametrize("caller", ["stranger", "oracle", "admin", "holder"])
def test_revoke_meter__not_owner_or_validator__reverts(world, actors, caller):
    project_id = world.register_project()
    world.register_project(owner=actors.holder)  # the holder owns another project
    register_meter(world, project_id)
    with boa.reverts("registry: not owner or validator"):
        revoke(world, sender=getattr(actors, caller))
    assert world.registry.meters(VICTIM_METER.address).status == METER_PENDING


@pytest.mark.parametrize("state", ["unknown", "revoked"])
def test_revoke_meter__not_active__reverts(world, actors, state):
    if state == "revoked":
        project_id = world.register_project()
        register_meter(world, project_id)
        revoke(world)
    with boa.reverts("registry: meter not active"):
        revoke(world, sender=actors.validator)


# ---- registering a revoked meter again --------------------------------------------------------


def test_register_meter__revoked_address_same_project__new_registration_logged(world, actors):
    project_id = world.register_project()
    register_meter(world, project_id, kind=GENERATION)
    approve(world)
    revoke(world)
    register_meter(world, project_id, kind=EXPORT, serial="SN-NEW", interval=600)
    assert events(world.registry, "MeterRegistered") == [
        {
            "address": world.registry.address,
            "meter": VICTIM_METER.address,
            "project_id": project_id,
            "kind": EXPORT,
            "serial": "SN-NEW",
            "certification_expiry": CERT_EXPIRY,
            "interval_seconds": 600,
            "registration": 2,
        }
    ]
    assert world.registry.meters(VICTIM_METER.address) == (
        project_id,
        EXPORT,
        METER_PENDING,
        "SN-NEW",
        CERT_EXPIRY,
        600,
        2,
    )


def test_register_meter__revoked_address_another_project_and_owner__new_registration(world, actors):
    first = world.register_project()
    register_meter(world, first)
    revoke(world)
    second = world.register_project(owner=actors.holder)
    # The old registration signature (first project, owner) does not move the meter.
    old = VICTIM_METER.sign_registration(world.domain, first, actors.owner, SERIAL)
    with boa.reverts("registry: meter did not sign registration"):
        register_meter(world, second, sender=actors.holder, signature=old)
    register_meter(world, second, sender=actors.holder)
    (logged,) = events(world.registry, "MeterRegistered")
    assert (logged["project_id"], logged["registration"]) == (second, 2)
    approve(world)
    revoke(world, sender=actors.holder)
    register_meter(world, first)
    assert world.registry.meters(VICTIM_METER.address).registration == 3
    assert world.registry.meters(VICTIM_METER.address).project_id == first


def test_reregistered_meter_in_another_project__old_last_reading_is_no_baseline(
    world, actors, pending
):
    """The generation meter of project 1 reported April (its last reading: May 1st, 2,439,134 Wh,
    registration 1). Revoked and registered as the only (self-consumption) meter of a new
    project monitored from May 1st, its old reading would be a perfect baseline if registrations
    were not told apart: the first report must carry the start reading instead. Hand-computed:
    4,939,134 - 2,439,134 = 2,500,000 Wh self-consumed x 434,000 / 1e6 = 1,085,000 g."""
    first, april = pending
    world.finalize(april)
    meter = first.meters[GENERATION]
    revoke(world, meter=meter)
    assert world.reports.last_reading(meter.address) == (MAY_2025, APRIL[GENERATION], 1, 0)

    second_id = world.register_project()
    with boa.env.prank(actors.validator):
        world.registry.approve_project(second_id)
    with boa.env.prank(actors.admin):
        world.registry.set_project_oracle(second_id, actors.oracle)
    register_meter(world, second_id, meter=meter, kind=SELF_CONSUMPTION, serial="SN-MOVED")
    approve(world, meter=meter)
    assert world.registry.meters(meter.address).registration == 2
    with boa.env.prank(actors.oracle):
        world.reports.start_monitoring(second_id, MAY_2025)

    second = Project(second_id, {SELF_CONSUMPTION: meter}, MAY_2025)
    registers = {SELF_CONSUMPTION: MAY[GENERATION]}
    # Without a start reading the end reading is taken as the start reading: refused.
    with boa.reverts("reports: start reading outside window"):
        world.submit(second, JUNE_2025, registers, 2_500_000, 1_085_000)
    second.carried = {SELF_CONSUMPTION: APRIL[GENERATION]}
    submission = world.submit(second, JUNE_2025, registers, 2_500_000, 1_085_000)
    (period,) = submission.facts.meters
    assert (period.meter, period.carried_start, period.kind) == (
        meter.address,
        True,
        SELF_CONSUMPTION,
    )
    assert (period.start_timestamp, period.start_cumulative_wh) == (MAY_2025, APRIL[GENERATION])
    assert world.reports.last_reading(meter.address) == (JUNE_2025, MAY[GENERATION], 2, 0)


def test_reregistered_meter_in_the_same_project__next_report_carries_its_start(
    world, actors, pending
):
    """Same project, same kind, same epoch: only the registration count tells the old reading
    from a baseline. The export meter keeps its baseline; May is 2,000,000 Wh self-consumed,
    868,000 g."""
    project, april = pending
    world.finalize(april)
    meter = project.meters[GENERATION]
    revoke(world, meter=meter)
    register_meter(world, project.project_id, meter=meter, kind=GENERATION, serial="SN-AGAIN")
    approve(world, meter=meter)
    assert world.reports.monitoring_epoch(project.project_id) == 0
    with boa.reverts("reports: start reading outside window"):
        world.submit(project, JUNE_2025, MAY, MAY_SC, MAY_G)
    project.start = MAY_2025
    project.carried = {GENERATION: APRIL[GENERATION]}
    submission = world.submit(project, JUNE_2025, MAY, MAY_SC, MAY_G)
    generation, export = submission.facts.meters[0], submission.facts.meters[1]
    assert generation.carried_start
    assert (generation.start_timestamp, generation.start_cumulative_wh) == (
        MAY_2025,
        APRIL[GENERATION],
    )
    assert not export.carried_start
    assert (export.start_timestamp, export.start_cumulative_wh) == (MAY_2025, APRIL[EXPORT])


# ---- meters view ------------------------------------------------------------------------------


def test_meters__unknown_address__all_zero(world):
    assert world.registry.meters(VICTIM_METER.address) == (0, 0, 0, "", 0, 0, 0)


def test_meters__approved_project_meter__full_record(world, project):
    meter = project.meters[GENERATION].address
    assert world.registry.meters(meter) == (
        project.project_id,
        GENERATION,
        METER_APPROVED,
        f"SN-{project.project_id}-{GENERATION}",
        CERT_EXPIRY,
        INTERVAL,
        1,
    )
