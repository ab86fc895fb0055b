# pragma version ~=0.4.3
"""
@title Registry of solar J-Credit projects, meters and emission factors
@custom:contract-name Registry
@license MIT
@notice Who and what may report: the two-step admin (snekmate
        `ownable_2step`, no renounce exported) and its delayed role grants,
        projects, meters (registered with the meter's own signature) and the
        emission factor per fiscal year. It is also the EIP-712 domain every
        meter signature is bound to. Monitoring reports, fraud proofs and
        oracle bonds live in the MonitoringReports contract, bound once
        (`bind_reports`); it reads a project's terms here in one call
        (`report_terms`) and is the only caller of `lock_factor` and
        `on_fraud`.
"""

from snekmate.auth import ownable
from snekmate.auth import ownable_2step
from snekmate.utils import eip712_domain_separator
from .interfaces import IRegistry
from .modules import constants
from .modules import roles
from .modules import project_registry
from .modules import meter_registry
from .modules import factor_table
from .modules import meter_signatures

initializes: ownable
initializes: ownable_2step[ownable := ownable]
initializes: roles[ownable := ownable, ownable_2step := ownable_2step]
initializes: project_registry[ownable := ownable, roles := roles]
initializes: eip712_domain_separator
initializes: meter_registry[
    roles := roles, project_registry := project_registry, eip712_domain_separator := eip712_domain_separator
]
initializes: factor_table[ownable := ownable, roles := roles]

exports: (
    ownable.owner,
    ownable_2step.pending_owner,
    ownable_2step.transfer_ownership,
    roles.accept_ownership,
    roles.VALIDATOR_ROLE,
    roles.ORACLE_ROLE,
    roles.PAUSER_ROLE,
    roles.REGISTRAR_ROLE,
    roles.ADMIN_DELAY,
    roles.has_role,
    roles.role_grant_eta,
    roles.launched,
    roles.grant_role,
    roles.activate_role,
    roles.cancel_role_grant,
    roles.revoke_role,
    roles.launch,
    project_registry.CREDITING_YEARS,
    project_registry.SCHEME_END,
    project_registry.MAX_AGE_AT_REGISTRATION,
    project_registry.MAX_CAPACITY_W,
    project_registry.project_count,
    project_registry.project_owner,
    project_registry.pending_project_owner,
    project_registry.reports,
    project_registry.oracle_assignments,
    project_registry.bind_reports,
    project_registry.register_project,
    project_registry.declare_battery,
    project_registry.has_battery,
    project_registry.approve_project,
    project_registry.reject_project,
    project_registry.suspend_project,
    project_registry.resume_project,
    project_registry.set_project_oracle,
    project_registry.transfer_project,
    project_registry.accept_project,
    project_registry.projects,
    meter_registry.MIN_INTERVAL_SECONDS,
    meter_registry.MAX_INTERVAL_SECONDS,
    meter_registry.kind_meter,
    meter_registry.serial_meter,
    meter_registry.register_meter,
    meter_registry.approve_meter,
    meter_registry.revoke_meter,
    meter_registry.meters,
    factor_table.MAX_FACTOR_G_PER_MWH,
    factor_table.set_emission_factor,
    factor_table.activate_emission_factor,
    factor_table.emission_factors,
    eip712_domain_separator.eip712Domain,
)


# @notice Largest capacity (W) whose self-consumption may be metered by
#         difference (generation - export); above it a report needs a
#         self-consumption meter. The `difference_metering_max_w` scheme
#         parameter (methodology/data/scheme_parameters.csv; not verified).
DIFFERENCE_METERING_MAX_W: public(constant(uint256)) = constants.DIFFERENCE_METERING_MAX_W
# Revert data of a reason of up to 64 bytes: selector, offset, length, two words.
_REVERT_BYTES: constant(uint256) = 132


@deploy
def __init__():
    """
    @notice The deployer becomes admin; the system is in set-up until the
            admin binds the reports contract and calls `launch`.
    """
    ownable.__init__()
    ownable_2step.__init__()
    roles.__init__()
    project_registry.__init__()
    eip712_domain_separator.__init__(meter_signatures.DOMAIN_NAME, meter_signatures.DOMAIN_VERSION)
    meter_registry.__init__()
    factor_table.__init__()


@external
@view
def report_terms(
    project_id: uint256, fiscal_year: uint16, meters: DynArray[address, constants.MAX_BOUNDARY_READINGS]
) -> IRegistry.ReportTerms:
    """
    @notice Everything a report of `project_id` in `fiscal_year` is checked
            against, in one call (for the reports contract; anyone may read).
    @param project_id The project.
    @param fiscal_year The report's fiscal year (its factor is returned).
    @param meters The meters the report names; each gets its facts.
    @return The report terms (see `IRegistry.ReportTerms`).
    """
    state: uint256 = project_registry._state_of(project_id)
    terms: uint256 = project_registry._terms_of(project_id)
    oracle: address = project_registry._unpack_oracle(state)
    factor: uint256 = 0
    locked: bool = False
    factor, locked = factor_table._factor_of(fiscal_year)
    facts: DynArray[uint256, constants.MAX_BOUNDARY_READINGS] = []
    for meter: address in meters:
        facts.append(meter_registry._report_facts(project_id, meter))
    kinds: uint256 = project_registry._unpack_kinds(state)
    return IRegistry.ReportTerms(
        oracle=oracle,
        oracle_has_role=roles._is_oracle(oracle),
        approved=project_registry._unpack_status(state) == project_registry.ProjectStatus.APPROVED,
        kinds=kinds,
        meter_set_problem=self._meter_set_problem(
            kinds,
            project_registry._unpack_battery(state),
            project_registry._unpack_auxiliary(state),
            terms & constants.MASK_64,
        ),
        capacity_w=terms & constants.MASK_64,
        crediting_start=convert((terms >> 128) & constants.MASK_64, uint64),
        crediting_end=convert(terms >> 192, uint64),
        meter_facts=facts,
        factor_g_per_mwh=factor,
        factor_locked=locked,
    )


@external
@view
def project_meters(project_id: uint256) -> address[constants.KIND_SLOTS]:
    """
    @notice The project's approved meter per kind slot (slot i for kind bit
            1 << i: 0 generation, 1 export, 2 self-consumption, 3 auxiliary,
            4 battery charge, 5 battery discharge; zero where none).
    @param project_id The project.
    @return The meters.
    """
    result: address[constants.KIND_SLOTS] = empty(address[constants.KIND_SLOTS])
    kinds: uint256 = project_registry._unpack_kinds(project_registry._state_of(project_id))
    for slot: uint256 in range(constants.KIND_SLOTS):
        if kinds & (1 << slot) != 0:
            result[slot] = meter_registry._approved_meter(project_id, 1 << slot)
    return result


@external
@pure
def self_consumption(
    kinds: uint256, energy: uint256[constants.KIND_SLOTS], capacity_w: uint256, span: uint256
) -> (uint256, Bytes[_REVERT_BYTES]):
    """
    @notice The self-consumed Wh of a report's period from its meters'
            energies, or why the period is invalid (a `reports:` revert
            reason; the Wh are then meaningless). Self-consumed = the
            self-consumption meter's energy, or generation - export - the
            battery's net charge (charge - discharge, when positive: its
            losses are not credited, and discharge beyond the period's
            charge is not either, as it may come from the grid); minus the
            auxiliary consumption. Invalid: export > generation,
            self-consumption > generation, net charge > generation - export,
            auxiliary > self-consumption, or the capacity-checked meter
            (generation, else self-consumption) above capacity x `span`.
    @param kinds The kinds of the project's approved meters.
    @param energy Wh per kind slot (slot i for kind bit 1 << i).
    @param capacity_w The project's capacity.
    @param span Seconds the capacity-checked meter's two readings span.
    @return The self-consumed Wh and nothing, or 0 and the revert data
            (`Error(string)`) of the problem.
    """
    self_consumed: uint256 = 0
    capped: uint256 = energy[0]
    if kinds & constants.SELF_CONSUMPTION != 0:
        self_consumed = energy[2]
        if kinds & constants.GENERATION == 0:
            capped = self_consumed
        elif self_consumed > energy[0]:
            return 0, self._error("reports: self-consumed > gen")
    elif energy[1] > energy[0]:
        return 0, self._error("reports: export > generation")
    else:
        self_consumed = energy[0] - energy[1]
        if energy[4] > energy[5]:
            if energy[4] - energy[5] > self_consumed:
                return 0, self._error("reports: battery charge > self-consumed")
            self_consumed -= energy[4] - energy[5]
    if energy[3] > self_consumed:
        return 0, self._error("reports: auxiliary > self-consumed")
    # Wh x 3600 <= W x s, in integers, so no rounding of hours.
    if capped * 3600 > capacity_w * span:
        return 0, self._error("reports: generation > capacity")
    return self_consumed - energy[3], b""


@external
@view
def finalize_terms(project_id: uint256) -> (bool, address):
    """
    @notice What finalizing a report of `project_id` needs: whether the
            project is APPROVED, and its owner (who receives the credits).
    @param project_id The project.
    @return Approved, owner.
    """
    approved: bool = (
        project_registry._unpack_status(project_registry._state_of(project_id))
        == project_registry.ProjectStatus.APPROVED
    )
    return approved, project_registry._owner_of(project_id)


@external
def lock_factor(fiscal_year: uint16):
    """
    @notice Locks a fiscal year's factor: a report now depends on it (the
            reports contract only).
    @param fiscal_year The fiscal year.
    """
    self._check_reports()
    factor_table._lock(fiscal_year)


@external
def on_fraud(project_id: uint256, oracle: address):
    """
    @notice A fraud proof undid a report of `oracle` (the reports contract
            only): the oracle loses ORACLE_ROLE, so it reports for no
            project any more, and the project has no oracle until the admin
            assigns one.
    @param project_id The project of the refuted report.
    @param oracle The oracle that submitted it.
    """
    self._check_reports()
    roles._revoke(roles.ORACLE_ROLE, oracle)
    if project_registry._unpack_oracle(project_registry._state_of(project_id)) == oracle:
        project_registry._set_oracle(project_id, empty(address))


@external
@view
def domain_separator() -> bytes32:
    """
    @notice The EIP-712 domain separator every meter signature uses.
    @return The domain separator.
    """
    return eip712_domain_separator._domain_separator_v4()


@external
@view
def registration_digest(project_id: uint256, owner: address, serial: String[64]) -> bytes32:
    """
    @notice The EIP-712 digest a meter signs to be registered.
    @param project_id The project it joins.
    @param owner The project owner who registers it.
    @param serial Its serial number.
    @return The digest to sign.
    """
    return meter_signatures._registration_digest(
        eip712_domain_separator._domain_separator_v4(), project_id, owner, serial
    )


@internal
@pure
def _meter_set_problem(kinds: uint256, battery: bool, auxiliary: bool, capacity_w: uint256) -> Bytes[_REVERT_BYTES]:
    """
    @notice Why a project's approved meters cannot report, or "" when they
            can (MonitoringReports raises it). Generation and export, or a
            self-consumption meter (generation and export optional beside
            it: export is then only logged); an auxiliary meter may join
            either. By difference (no
            self-consumption meter) only up to `DIFFERENCE_METERING_MAX_W`,
            and a battery site then meters its battery's charge and
            discharge; battery meters only beside generation and export.
            Once an auxiliary meter was approved, one must always report.
    @param kinds The kinds of the project's approved meters.
    @param battery Whether the project declared a battery.
    @param auxiliary Whether an auxiliary meter was ever approved.
    @param capacity_w The project's capacity.
    @return Bytes[_REVERT_BYTES] The revert data (`Error(string)`), or empty.
    """
    base: uint256 = kinds & (constants.GENERATION | constants.EXPORT | constants.SELF_CONSUMPTION)
    stored: uint256 = kinds & (constants.BATTERY_CHARGE | constants.BATTERY_DISCHARGE)
    by_difference: bool = base & constants.SELF_CONSUMPTION == 0
    if (
        by_difference != (base == constants.GENERATION | constants.EXPORT)
        or (not by_difference and stored != 0)
        or (auxiliary and kinds & constants.AUXILIARY == 0)
    ):
        return self._error("reports: bad meter set")
    if by_difference:
        if capacity_w > constants.DIFFERENCE_METERING_MAX_W:
            return self._error("reports: difference metering > 10 kW")
        if battery and stored != constants.BATTERY_CHARGE | constants.BATTERY_DISCHARGE:
            return self._error("reports: battery not metered")
    return b""


@internal
@pure
def _error(reason: String[40]) -> Bytes[_REVERT_BYTES]:
    """
    @notice The revert data of `reason`, as `raise` would give it, for the
            reports contract to `raw_revert`.
    @param reason The reason.
    @return Bytes[_REVERT_BYTES] `Error(string)` ABI-encoded.
    """
    return abi_encode(reason, method_id=method_id("Error(string)"))


@internal
@view
def _check_reports():
    """
    @notice Reverts unless the caller is the bound reports contract.
    """
    assert msg.sender == project_registry.reports and msg.sender != empty(address), "registry: caller is not reports"
