"""Python mirrors of the contracts' roles, flags, statuses, bounds and token ids
(docs/interfaces.md).

Vyper `flag`s are bit values, mirrored as `enum.IntFlag`; report statuses, undo reasons, fraud
proof kinds and retirement purposes are plain numbers, mirrored as `enum.IntEnum`. Nothing else in
Python spells these numbers. The bounds are the contracts' constants (tests/sdk compares them with
the deployed contracts), mirrored so that input is checked before anything is deployed or sent.
"""

from enum import IntEnum, IntFlag

from jcredit.keccak import keccak256

VALIDATOR_ROLE: bytes = keccak256(b"VALIDATOR_ROLE")
ORACLE_ROLE: bytes = keccak256(b"ORACLE_ROLE")
PAUSER_ROLE: bytes = keccak256(b"PAUSER_ROLE")
REGISTRAR_ROLE: bytes = keccak256(b"REGISTRAR_ROLE")

# MonitoringReports.MIN_CHALLENGE_WINDOW / MAX_CHALLENGE_WINDOW, in seconds.
MIN_CHALLENGE_WINDOW = 3600
MAX_CHALLENGE_WINDOW = 30 * 86400
# Registry.MIN_INTERVAL_SECONDS / MAX_INTERVAL_SECONDS: a meter's declared metering interval.
MIN_INTERVAL_SECONDS = 60
MAX_INTERVAL_SECONDS = 3600
# Registry.ADMIN_DELAY: after launch, role grants and factor changes wait this long.
ADMIN_DELAY = 2 * 86400
# Kind slot of each meter kind in `ReportFacts.meters` and `Registry.project_meters`.
KIND_SLOTS = 6
# Registry.DIFFERENCE_METERING_MAX_W: above it a site needs a self-consumption meter.
DIFFERENCE_METERING_MAX_W = 10_000

# A token id is the project id shifted past the 16 bits of the fiscal year (docs/interfaces.md).
_FISCAL_YEAR_BITS = 16


_SPOKEN_NAMES = {"MeterKind": "meter kind", "RetirementPurpose": "purpose"}


class _Spelled:
    """Lower-case spellings of an enum's members, as files and the command line write them."""

    @classmethod
    def from_name(cls, name: str):
        try:
            return cls[name.strip().upper()]
        except KeyError:
            what = _SPOKEN_NAMES.get(cls.__name__, cls.__name__)
            raise ValueError(
                f"unknown {what} {name!r}: expected {', '.join(cls.names())}"
            ) from None

    @classmethod
    def names(cls) -> list[str]:
        """The spellings, in value order."""
        return [member.label for member in cls]

    @property
    def label(self) -> str:
        return str(self.name).lower()


class ProjectStatus(IntFlag):
    PENDING = 1
    APPROVED = 2
    REJECTED = 4
    SUSPENDED = 8


class MeterKind(_Spelled, IntFlag):
    GENERATION = 1
    EXPORT = 2
    SELF_CONSUMPTION = 4
    AUXILIARY = 8
    BATTERY_CHARGE = 16
    BATTERY_DISCHARGE = 32

    @property
    def slot(self) -> int:
        """Index of the kind in `ReportFacts.meters` and `Registry.project_meters`."""
        return int(self).bit_length() - 1


class MeterStatus(IntFlag):
    PENDING = 1
    APPROVED = 2
    REVOKED = 4


class ReportStatus(IntEnum):
    NONE = 0
    PENDING = 1
    DISPUTED = 2


class UndoneReason(IntEnum):
    """`ReportUndone.reason`: why a report was undone (its period can be reported again)."""

    REJECTED = 1
    DISPUTE_EXPIRED = 2
    FRAUD_PROVEN = 3
    ORACLE_REFUTED = 4  # finalized after its oracle was refuted in another report


class FraudKind(IntEnum):
    """`FraudProven.kind`: which fraud proof held."""

    LATER_END_READING = 1
    LATER_START_READING = 2
    INTERVAL_ABOVE_CAPACITY = 3
    COMMITTED_MISMATCH = 4
    COMMITTED_CONFLICT = 5


# What a certificate or an export shows for a purpose, in English and Japanese.
_PURPOSE_DESCRIPTIONS = {
    "GHG_LAW_REPORTING": "GHG reporting under the Global Warming Act (温対法報告)",
    "CARBON_OFFSET": "Carbon offset (カーボン・オフセット)",
    "CDP": "CDP disclosure (CDP報告)",
    "RE100": "RE100 reporting (RE100報告)",
    "SBT": "SBT target (SBT目標)",
    "OTHER": "Other (その他)",
}


class RetirementPurpose(_Spelled, IntEnum):
    GHG_LAW_REPORTING = 0
    CARBON_OFFSET = 1
    CDP = 2
    RE100 = 3
    SBT = 4
    OTHER = 5

    @property
    def description(self) -> str:
        """Readable label, English (Japanese), e.g. `Carbon offset (カーボン・オフセット)`."""
        return _PURPOSE_DESCRIPTIONS[str(self.name)]


def token_id(project_id: int, fiscal_year: int) -> int:
    """ERC-1155 id of a project's credits of one vintage: (project_id << 16) | fiscal_year."""
    if project_id < 0 or not 0 <= fiscal_year < 1 << _FISCAL_YEAR_BITS:
        raise ValueError(f"token_id: bad project {project_id} or fiscal year {fiscal_year}")
    return (project_id << _FISCAL_YEAR_BITS) | fiscal_year


def split_token_id(token: int) -> tuple[int, int]:
    """token id -> (project_id, fiscal_year)."""
    return token >> _FISCAL_YEAR_BITS, token & ((1 << _FISCAL_YEAR_BITS) - 1)
