"""The one address check: EIP-55 for mixed case, plain hex in one case accepted."""

import pytest

from jcredit.addresses import AddressError, checked_address

BUYER = "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"


@pytest.mark.parametrize("text", [BUYER, BUYER.lower(), "0x" + BUYER[2:].upper(), f"  {BUYER} "])
def test_checked_address__checksummed_or_one_case__gives_the_checksummed_form(text):
    assert checked_address(text) == BUYER


@pytest.mark.parametrize("typo", [BUYER[:-1] + "6", BUYER.replace("AAf5", "aAf5")])
def test_checked_address__mixed_case_with_wrong_checksum__refused_naming_it(typo):
    with pytest.raises(AddressError, match=f"^{typo} fails its EIP-55 checksum"):
        checked_address(typo)


@pytest.mark.parametrize(
    "text", ["0x1234", BUYER + "0", "15d34AAf54267DB7D7c367839AAf71A00a2C6A65"]
)
def test_checked_address__not_40_hex_digits__refused(text):
    with pytest.raises(AddressError, match="is not an address"):
        checked_address(text)


def test_sdk_check_address__the_clients_use_the_same_check_naming_the_input():
    """Registry, MonitoringReports and deploy inputs (meter, oracle, recipient, ...)."""
    from jcredit.errors import InputError
    from jcredit.registry import check_address

    assert check_address(BUYER.lower(), "recipient") == BUYER
    with pytest.raises(InputError, match=f"^meter: {BUYER[:-1] + '6'} fails its EIP-55 checksum"):
        check_address(BUYER[:-1] + "6", "meter")
    with pytest.raises(InputError, match=r"^oracle: '0x1234' is not an address"):
        check_address("0x1234", "oracle")
