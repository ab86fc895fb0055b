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

# @dev Report status of a project (stored in its packed state): no report
#      waiting to be finalized, one waiting for its challenge window, one
#      disputed by a validator.
REPORT_NONE: constant(uint256) = 0
REPORT_PENDING: constant(uint256) = 1
REPORT_DISPUTED: constant(uint256) = 2
