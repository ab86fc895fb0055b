# pragma version ~=0.4.3
"""
@title The member rule set of program reports (rules 1-5 of docs/programs.md)
@custom:contract-name member_rules
@license MIT
@notice Whether a member's result in a program report is correct, as ONE
        function (`_member_problem`) returning a problem code (0 = correct),
        so a proof against a member is a single check and the oracle
        (`oracles/program/`) can implement exactly the same rules. Stateless:
        `member_proofs` calls it without `uses:`.

        The function never reverts on anything an oracle or a meter can put
        in a result: bad signatures, registers going backwards, timestamps out
        of order and products above 2**256 are problems, not errors (products
        are compared in 512 bits), so a malicious oracle cannot make a proof
        fail. The checks run in the order of the problem codes below and the
        first failing one is returned:

        1-4 rule 1 (enrollment and meter set), 5 rule 2 (crediting window),
        6-10 rule 3 (signatures, boundary windows, certificates, registers),
        11-13 rule 4 (energies, capacity), 14-18 rule 5 (reduction, credit,
        year to date, cap).
"""

from . import constants
from . import meter_signatures
from . import program_tree


# @notice A meter's enrollment index is not below the enrollment count, or
#         its enrollment leaf is of another member or another meter than
#         its start and end batches.
PROBLEM_NOT_ENROLLED: constant(uint256) = 1
# @notice The meters' kinds are not strictly ascending {1, 2}, {4} or {1, 4}.
PROBLEM_METER_SET: constant(uint256) = 2
# @notice The leaves differ in capacity or crediting period.
PROBLEM_LEAVES_DIFFER: constant(uint256) = 3
# @notice {generation, export} above `DIFFERENCE_METERING_MAX_W`.
PROBLEM_DIFFERENCE_METERING: constant(uint256) = 4
# @notice S = max(P0, crediting_start) is not before E = min(P1, crediting_end).
PROBLEM_NO_CREDITING: constant(uint256) = 5
# @notice A batch is not signed by its meter for the program (or its first
#         timestamp is after its last).
PROBLEM_SIGNATURE: constant(uint256) = 6
# @notice A start reading outside (S - interval, S].
PROBLEM_START_WINDOW: constant(uint256) = 7
# @notice An end reading outside (E - interval, E].
PROBLEM_END_WINDOW: constant(uint256) = 8
# @notice A boundary reading at or after the meter's certification expiry.
PROBLEM_CERTIFICATE: constant(uint256) = 9
# @notice An end register below its start register.
PROBLEM_REGISTER_BACKWARDS: constant(uint256) = 10
# @notice Export above generation ({1, 2}) or self-consumption above
#         generation ({1, 4}).
PROBLEM_ENERGY_BALANCE: constant(uint256) = 11
# @notice `self_consumed_wh` is not the energies' self-consumption.
PROBLEM_SELF_CONSUMED: constant(uint256) = 12
# @notice The generation (or lone self-consumption) meter's energy x 3600 is
#         above capacity x its end - start timestamp.
PROBLEM_CAPACITY: constant(uint256) = 13
# @notice `reduction_g` is not `self_consumed_wh * factor // 10**6`.
PROBLEM_REDUCTION: constant(uint256) = 14
# @notice The result is not `valid`.
PROBLEM_NOT_VALID: constant(uint256) = 15
# @notice `credited_g` above `reduction_g`.
PROBLEM_OVER_REDUCTION: constant(uint256) = 16
# @notice `ytd_credited_g` below `credited_g`.
PROBLEM_YTD_BELOW_CREDITED: constant(uint256) = 17
# @notice `ytd_credited_g` above a non-zero cap.
PROBLEM_OVER_CAP: constant(uint256) = 18

# @dev secp256k1 n / 2: snekmate's `ecdsa` refuses a larger `s`.
_MALLEABILITY_THRESHOLD: constant(uint256) = (
    57_896_044_618_658_097_711_785_492_504_343_953_926_418_782_139_537_452_191_302_581_570_759_080_747_168
)
_SECONDS_PER_HOUR: constant(uint256) = 3600


@internal
@pure
def _member_problem(
    separator: bytes32,
    program_id: uint256,
    period_start: uint64,
    period_end: uint64,
    factor_g_per_mwh: uint256,
    cap_g: uint256,
    enrollment_count: uint256,
    result: program_tree.MemberResult,
    leaves: DynArray[program_tree.EnrolledMeter, program_tree.MAX_MEMBER_METERS],
) -> uint256:
    """
    @notice Rules 1-5 of docs/programs.md for one member result: 0 when the
            result is correct, else the first problem found (`PROBLEM_*`).
            Never reverts on the result's content.
    @dev `leaves[i]` must be the enrollment leaf at
         `result.meters[i].enrollment_index` whenever that index is below
         `enrollment_count` (the caller checks it against the root); it is
         not read otherwise. `len(leaves) == len(result.meters)`.
    @param separator The Registry's EIP-712 domain separator.
    @param program_id The program (batches sign PROGRAM_PROJECT_BASE + it).
    @param period_start The report's P0.
    @param period_end The report's P1 (exclusive).
    @param factor_g_per_mwh The report's emission factor F.
    @param cap_g The report's per-member cap C (0 = none).
    @param enrollment_count Leaves in the report's enrollment root.
    @param result The member's result.
    @param leaves The enrollment leaves, one per meter of the result.
    @return uint256 0 or a problem code.
    """
    count: uint256 = len(result.meters)
    # Rule 1: every meter enrolled for this member under its own address.
    for i: uint256 in range(program_tree.MAX_MEMBER_METERS):
        if i == count:
            break
        boundary: program_tree.MeterBoundary = result.meters[i]
        if boundary.enrollment_index >= enrollment_count:
            return PROBLEM_NOT_ENROLLED
        if (
            leaves[i].member_id != result.member_id
            or leaves[i].meter != boundary.start.meter
            or leaves[i].meter != boundary.end.meter
        ):
            return PROBLEM_NOT_ENROLLED
    # The meter set: {4}, {1, 2} or {1, 4}, kinds strictly ascending.
    if count == 1:
        if leaves[0].kind != constants.SELF_CONSUMPTION:
            return PROBLEM_METER_SET
    elif count == 2:
        if leaves[0].kind != constants.GENERATION or (
            leaves[1].kind != constants.EXPORT and leaves[1].kind != constants.SELF_CONSUMPTION
        ):
            return PROBLEM_METER_SET
    else:
        return PROBLEM_METER_SET
    first: program_tree.EnrolledMeter = leaves[0]
    if count == 2 and (
        leaves[1].capacity_w != first.capacity_w
        or leaves[1].crediting_start != first.crediting_start
        or leaves[1].crediting_end != first.crediting_end
    ):
        return PROBLEM_LEAVES_DIFFER
    if (
        count == 2
        and leaves[1].kind == constants.EXPORT
        and first.capacity_w > constants.DIFFERENCE_METERING_MAX_W
    ):
        return PROBLEM_DIFFERENCE_METERING

    # Rule 2: the member's crediting window inside the period.
    s: uint256 = 0
    e: uint256 = 0
    s, e = self._crediting_bounds(period_start, period_end, first)
    if s >= e:
        return PROBLEM_NO_CREDITING

    # Rule 3: signed boundaries inside their windows, certified, registers forward.
    project_id: uint256 = program_tree.PROGRAM_PROJECT_BASE + program_id
    energies: DynArray[uint256, program_tree.MAX_MEMBER_METERS] = []
    for i: uint256 in range(program_tree.MAX_MEMBER_METERS):
        if i == count:
            break
        start: program_tree.Boundary = result.meters[i].start
        end: program_tree.Boundary = result.meters[i].end
        if not self._signed(separator, project_id, start) or not self._signed(separator, project_id, end):
            return PROBLEM_SIGNATURE
        interval: uint256 = leaves[i].interval_seconds
        if not self._in_window(convert(start.last_timestamp, uint256), s, interval):
            return PROBLEM_START_WINDOW
        if not self._in_window(convert(end.last_timestamp, uint256), e, interval):
            return PROBLEM_END_WINDOW
        if (
            start.last_timestamp >= leaves[i].certification_expiry
            or end.last_timestamp >= leaves[i].certification_expiry
        ):
            return PROBLEM_CERTIFICATE
        if end.last_cumulative_wh < start.last_cumulative_wh:
            return PROBLEM_REGISTER_BACKWARDS
        energies.append(end.last_cumulative_wh - start.last_cumulative_wh)

    # Rule 4: self-consumption from the energies; the capacity meter is meters[0].
    self_consumed: uint256 = energies[0]
    if count == 2:
        if energies[1] > energies[0]:
            return PROBLEM_ENERGY_BALANCE
        if leaves[1].kind == constants.EXPORT:
            self_consumed = energies[0] - energies[1]
        else:
            self_consumed = energies[1]
    if result.self_consumed_wh != self_consumed:
        return PROBLEM_SELF_CONSUMED
    if self._over_capacity(
        energies[0],
        first.capacity_w,
        convert(result.meters[0].start.last_timestamp, uint256),
        convert(result.meters[0].end.last_timestamp, uint256),
    ):
        return PROBLEM_CAPACITY

    # Rule 5: reduction, credit, year to date, cap.
    if not self._is_floor_div(result.reduction_g, self_consumed, factor_g_per_mwh, constants.WH_PER_MWH):
        return PROBLEM_REDUCTION
    if not result.valid:
        return PROBLEM_NOT_VALID
    if result.credited_g > result.reduction_g:
        return PROBLEM_OVER_REDUCTION
    if result.ytd_credited_g < result.credited_g:
        return PROBLEM_YTD_BELOW_CREDITED
    if cap_g != 0 and result.ytd_credited_g > cap_g:
        return PROBLEM_OVER_CAP
    return 0


@internal
@pure
def _crediting_bounds(period_start: uint64, period_end: uint64, leaf: program_tree.EnrolledMeter) -> (uint256, uint256):
    """
    @notice The member's crediting window in the period (rule 2).
    @param period_start The report's P0.
    @param period_end The report's P1.
    @param leaf One of the member's enrollment leaves.
    @return uint256 S = max(P0, crediting_start).
    @return uint256 E = min(P1, crediting_end).
    """
    return (
        max(convert(period_start, uint256), convert(leaf.crediting_start, uint256)),
        min(convert(period_end, uint256), convert(leaf.crediting_end, uint256)),
    )


@internal
@pure
def _in_window(timestamp: uint256, bound: uint256, interval: uint256) -> bool:
    """
    @notice Whether `timestamp` lies in (bound - interval, bound], without
            underflow.
    @param timestamp The reading's timestamp.
    @param bound S or E.
    @param interval The meter's interval in seconds.
    @return bool True inside the window.
    """
    return timestamp <= bound and bound - timestamp < interval


@internal
@pure
def _signed(separator: bytes32, project_id: uint256, batch: program_tree.Boundary) -> bool:
    """
    @notice Whether `batch` is signed by its own meter for `project_id`
            (first timestamp not after the last): the same signatures
            `meter_signatures._check_reading` accepts, but false instead of a
            revert.
    @param separator The Registry's domain separator.
    @param project_id The signed project id.
    @param batch The batch.
    @return bool True when signed.
    """
    if batch.first_timestamp > batch.last_timestamp or batch.meter == empty(address):
        return False
    digest: bytes32 = meter_signatures._reading_digest(
        separator,
        project_id,
        batch.meter,
        batch.first_timestamp,
        batch.last_timestamp,
        batch.last_cumulative_wh,
        batch.readings_hash,
    )
    signature: Bytes[65] = batch.signature
    r: uint256 = 0
    s: uint256 = 0
    v: uint256 = 0
    if len(signature) == 65:
        r = extract32(signature, 0, output_type=uint256)
        s = extract32(signature, 32, output_type=uint256)
        v = convert(slice(signature, 64, 1), uint256)
    elif len(signature) == 64:
        r = extract32(signature, 0, output_type=uint256)
        vs: uint256 = extract32(signature, 32, output_type=uint256)
        s = vs & convert(max_value(int256), uint256)
        v = unsafe_add(vs >> 255, 27)
    else:
        return False
    if s > _MALLEABILITY_THRESHOLD:
        return False
    return ecrecover(digest, v, r, s) == batch.meter


@internal
@pure
def _mul512(a: uint256, b: uint256) -> (uint256, uint256):
    """
    @notice The full 512-bit product a * b.
    @param a A factor.
    @param b A factor.
    @return uint256 The high 256 bits.
    @return uint256 The low 256 bits.
    """
    low: uint256 = unsafe_mul(a, b)
    mm: uint256 = uint256_mulmod(a, b, max_value(uint256))
    high: uint256 = unsafe_sub(unsafe_sub(mm, low), convert(mm < low, uint256))
    return high, low


@internal
@pure
def _over_capacity(energy_wh: uint256, capacity_w: uint256, start_ts: uint256, end_ts: uint256) -> bool:
    """
    @notice Whether energy x 3600 > capacity x (end - start), exactly (a
            negative distance makes any positive energy or capacity a
            violation).
    @param energy_wh The meter's energy between the two readings.
    @param capacity_w The capacity in W.
    @param start_ts The start reading's timestamp.
    @param end_ts The end reading's timestamp.
    @return bool True above capacity.
    """
    if end_ts < start_ts:
        return energy_wh != 0 or capacity_w != 0
    lhs_high: uint256 = 0
    lhs_low: uint256 = 0
    rhs_high: uint256 = 0
    rhs_low: uint256 = 0
    lhs_high, lhs_low = self._mul512(energy_wh, _SECONDS_PER_HOUR)
    rhs_high, rhs_low = self._mul512(capacity_w, end_ts - start_ts)
    return lhs_high > rhs_high or (lhs_high == rhs_high and lhs_low > rhs_low)


@internal
@pure
def _is_floor_div(quotient: uint256, a: uint256, b: uint256, divisor: uint256) -> bool:
    """
    @notice Whether quotient == a * b // divisor, exactly (512-bit product).
    @param quotient The claimed quotient.
    @param a A factor.
    @param b A factor.
    @param divisor The divisor (> 0).
    @return bool True when equal.
    """
    p_high: uint256 = 0
    p_low: uint256 = 0
    q_high: uint256 = 0
    q_low: uint256 = 0
    p_high, p_low = self._mul512(a, b)
    q_high, q_low = self._mul512(quotient, divisor)
    # quotient * divisor <= a * b < quotient * divisor + divisor
    if q_high > p_high or (q_high == p_high and q_low > p_low):
        return False
    d_low: uint256 = unsafe_sub(p_low, q_low)
    d_high: uint256 = unsafe_sub(unsafe_sub(p_high, q_high), convert(p_low < q_low, uint256))
    return d_high == 0 and d_low < divisor
