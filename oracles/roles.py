"""Python mirrors of the contracts' roles, flags and token ids (docs/interfaces.md)."""

from enum import IntEnum, IntFlag

from oracles.keccak import keccak256

VALIDATOR_ROLE: bytes = keccak256(b"VALIDATOR_ROLE")
ORACLE_ROLE: bytes = keccak256(b"ORACLE_ROLE")
PAUSER_ROLE: bytes = keccak256(b"PAUSER_ROLE")
MINTER_ROLE: bytes = keccak256(b"MINTER_ROLE")


class ProjectStatus(IntFlag):
    PENDING = 1
    APPROVED = 2
    REJECTED = 4
    SUSPENDED = 8


class MeterKind(IntFlag):
    GENERATION = 1
    EXPORT = 2
    SELF_CONSUMPTION = 4

    @classmethod
    def from_name(cls, name: str) -> "MeterKind":
        """Kind from the readings CSV spelling (`generation`, `export`, `self_consumption`)."""
        try:
            return cls[name.strip().upper()]
        except KeyError:
            raise ValueError(
                f"unknown meter kind {name!r}: expected generation, export or self_consumption"
            ) from None


class MeterStatus(IntFlag):
    PENDING = 1
    APPROVED = 2
    REVOKED = 4


class ReportStatus(IntEnum):
    NONE = 0
    PENDING = 1
    DISPUTED = 2


class RetirementPurpose(IntEnum):
    GHG_LAW_REPORTING = 0
    CARBON_OFFSET = 1
    CDP = 2
    RE100 = 3
    SBT = 4
    OTHER = 5


def token_id(project_id: int, fiscal_year: int) -> int:
    """ERC-1155 id of a project's credits of one vintage: (project_id << 16) | fiscal_year."""
    if project_id < 0 or not 0 <= fiscal_year < 1 << 16:
        raise ValueError(f"token_id: bad project {project_id} or fiscal year {fiscal_year}")
    return (project_id << 16) | fiscal_year
