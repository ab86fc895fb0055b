"""Token ids and enum spellings, as the contracts and the command line use them."""

import pytest

from jcredit.types import MeterKind, RetirementPurpose, split_token_id, token_id
from methodology.readings import KINDS


def test_split_token_id__inverts_project_shift_16_or_fiscal_year():
    # project 3, FY2025: 3 * 65536 + 2025 = 198633
    assert split_token_id(198633) == (3, 2025)
    assert token_id(3, 2025) == 198633


@pytest.mark.parametrize("project_id, fiscal_year", [(-1, 2025), (1, 65536), (1, -1)])
def test_token_id__out_of_range__refused_naming_both(project_id, fiscal_year):
    with pytest.raises(ValueError, match=f"project {project_id} or fiscal year {fiscal_year}"):
        token_id(project_id, fiscal_year)


def test_meter_kind__names_round_trip_and_unknown_names_list_the_choices():
    assert MeterKind.names() == [
        "generation",
        "export",
        "self_consumption",
        "auxiliary",
        "battery_charge",
        "battery_discharge",
    ]
    assert all(MeterKind.from_name(name).label == name for name in MeterKind.names())
    # The methodology's readings use the same spellings.
    assert tuple(MeterKind.names()) == KINDS
    with pytest.raises(ValueError, match="expected generation, export, self_consumption, aux"):
        MeterKind.from_name("battery")


def test_retirement_purpose__names_round_trip():
    assert RetirementPurpose.from_name("carbon_offset") == RetirementPurpose.CARBON_OFFSET == 1
    assert [RetirementPurpose.from_name(n).label for n in RetirementPurpose.names()] == (
        RetirementPurpose.names()
    )
    with pytest.raises(ValueError, match="unknown purpose 'offset'"):
        RetirementPurpose.from_name("offset")
