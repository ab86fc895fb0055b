"""Addresses typed by people: the one check every script option, site config and file entry uses.

`eth_utils.is_address` accepts a mixed-case address whose EIP-55 checksum is wrong, so one mistyped
character would send credits (or register a meter) to an address nobody holds. Here:

- mixed case must carry a valid EIP-55 checksum (what wallets and block explorers print);
- all-lowercase (or all-uppercase) hex carries no checksum and is accepted, as wallets do;
- anything else is not an address.
"""

from __future__ import annotations

import re

_HEX_ADDRESS = re.compile(r"0[xX][0-9a-fA-F]{40}")


class AddressError(ValueError):
    """Not an address, or a mixed-case address whose EIP-55 checksum does not match."""


def checked_address(text: str) -> str:
    """`text` as a checksummed address; AddressError naming the input and the problem."""
    from eth_utils import to_checksum_address

    value = text.strip()
    if not _HEX_ADDRESS.fullmatch(value):
        raise AddressError(f"{text!r} is not an address (0x followed by 40 hex digits)")
    digits = value[2:]
    checksummed = to_checksum_address(value)
    # Only mixed case carries a checksum (EIP-55); one case alone is the plain hex number.
    if digits not in (digits.lower(), digits.upper()) and checksummed[2:] != digits:
        raise AddressError(
            f"{value} fails its EIP-55 checksum: a character is mistyped or its case was changed; "
            "copy the address again (all-lowercase input is accepted without a checksum)"
        )
    return checksummed
