"""Who signs: an `ape accounts` alias, or on a local devnet the test account that plays the role.

The devnet test accounts come from the public mnemonic "test test ... junk": well-known keys,
never for real funds. On any other network an account must be named explicitly.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from jcredit.deployment import network_label
from jcredit.errors import JCreditError

if TYPE_CHECKING:
    from ape.api import AccountAPI, ProviderAPI

# Devnet test account index of each role (admin deploys, owner registers, buyer receives credits,
# the watcher sends fraud proofs). "rogue_oracle" is the demo's cheating oracle: `make demo` bonds
# it, lets it submit one inflated report and has the watcher prove it false.
DEVNET_ROLE_INDEX = {
    "admin": 0,
    "validator": 1,
    "registrar": 1,  # the devnet validator also mirrors the J-Credit registry
    "owner": 2,
    "oracle": 3,
    "buyer": 4,
    "watcher": 5,
    "rogue_oracle": 6,
}


def devnet_account(role: str) -> AccountAPI:
    from ape import accounts

    return accounts.test_accounts[DEVNET_ROLE_INDEX[role]]


def role_account(provider: ProviderAPI, account: AccountAPI | None, role: str) -> AccountAPI:
    """The account given, or on a local devnet the test account that plays `role`."""
    if account is not None:
        return account
    if provider.network.is_local:
        return devnet_account(role)
    raise JCreditError(
        f"--account is required on {network_label(provider)} (the {role}): "
        "pass an alias from `ape accounts list`"
    )


def role_address(provider: ProviderAPI, address: str | None, role: str, option: str) -> str:
    """An address given for a role, defaulting on a local devnet to that role's test account."""
    if address is not None:
        return address
    if provider.network.is_local:
        return devnet_account(role).address
    raise JCreditError(f"{option} is required on {network_label(provider)}")


def unattended(account: AccountAPI) -> AccountAPI:
    """A keyfile account signs without prompting when its passphrase is in the environment.

    Ape reads APE_ACCOUNTS_<alias>_PASSPHRASE to unlock but still asks to confirm each signature;
    a feed runs unattended, so the operator opts in by setting that variable.
    """
    passphrase = os.environ.get(f"APE_ACCOUNTS_{getattr(account, 'alias', '')}_PASSPHRASE")
    if passphrase and hasattr(account, "set_autosign"):
        account.set_autosign(True, passphrase=passphrase)
    return account
