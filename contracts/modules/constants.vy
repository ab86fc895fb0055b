# pragma version ~=0.4.3
"""
@title Constants shared by the modules
@custom:contract-name constants
@license MIT
@notice Bit masks of the packed storage slots, units, the meter-kind bits
        and the report status values. The module holds only constants: a
        module imports it (`from . import constants`) and reads
        `constants.X` without `uses:` or `initializes:`; nothing of it ends
        up in any ABI.
"""


# @dev Low 8, 16, 64 and 128 bits of a packed slot.
MASK_8: constant(uint256) = 2**8 - 1
MASK_16: constant(uint256) = 2**16 - 1
MASK_64: constant(uint256) = 2**64 - 1
MASK_128: constant(uint256) = 2**128 - 1

# @dev Grams per tonne (credits are whole t-CO2, reductions are g-CO2).
G_PER_T: constant(uint256) = 10**6
# @dev Wh per MWh (emission factors are g-CO2 per MWh, readings are Wh).
WH_PER_MWH: constant(uint256) = 10**6

# @dev Meter kinds as bits, equal to the `meter_registry.MeterKind` flag
#      values: a project's set of approved meter kinds is their OR.
GENERATION: constant(uint256) = 1
EXPORT: constant(uint256) = 2
SELF_CONSUMPTION: constant(uint256) = 4
# @dev Subtracted from the site's self-consumption (the plant's own draw).
AUXILIARY: constant(uint256) = 8
# @dev Energy into and out of a declared battery.
BATTERY_CHARGE: constant(uint256) = 16
BATTERY_DISCHARGE: constant(uint256) = 32
# @dev Number of meter kinds: `ReportFacts.meters` has one slot per kind,
#      slot i for the kind bit 1 << i.
KIND_SLOTS: constant(uint256) = 6
# @dev Most boundary readings a report carries: a start and an end reading
#      of each of at most five meters (generation, export, auxiliary and the
#      battery's two).
MAX_BOUNDARY_READINGS: constant(uint256) = 10

# @dev Largest capacity (W) whose self-consumption may be obtained as the
#      difference generation - export; above it a site needs a direct
#      self-consumption meter. Equal to `difference_metering_max_w` in
#      methodology/data/scheme_parameters.csv (not verified against the
#      Measurement Act's text).
DIFFERENCE_METERING_MAX_W: constant(uint256) = 10000

# @dev Report status of a project (stored in its packed state): no report
#      waiting to be finalized, one waiting for its challenge window, one
#      disputed by a validator.
REPORT_NONE: constant(uint256) = 0
REPORT_PENDING: constant(uint256) = 1
REPORT_DISPUTED: constant(uint256) = 2
