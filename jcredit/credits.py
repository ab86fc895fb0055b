"""Typed client of CarbonCredit.vy: balances, transfers and retirements of credits.

Amounts are whole t-CO2. A transfer or retirement is checked against the balance before anything
is sent, so the refusal names the holder, the token and what it holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from jcredit.errors import ChainError, JCreditError, NotFoundError
from jcredit.types import RetirementPurpose, split_token_id

if TYPE_CHECKING:
    from ape.contracts import ContractInstance

    from jcredit.tx import Sender


@dataclass(frozen=True)
class Retired:
    retirement_id: int
    tx_hash: str


class CreditClient:
    def __init__(self, contract: ContractInstance) -> None:
        self.contract = contract

    @property
    def address(self) -> str:
        return self.contract.address

    def balance(self, holder: str, token: int) -> int:
        return int(self.contract.balanceOf(holder, token))

    def minted(self, token: int) -> int:
        return int(self.contract.minted(token))

    def retirement_count(self) -> int:
        return int(self.contract.retirement_count())

    def check_retirement(self, retirement_id: int) -> None:
        count = self.retirement_count()
        if not 1 <= retirement_id <= count:
            known = f"1..{count}" if count else "no retirements yet"
            raise NotFoundError(f"unknown retirement {retirement_id}: this contract has {known}")

    def check_balance(self, holder: str, token: int, amount: int, action: str) -> None:
        """Refuse before sending when the holder does not have `amount` of `token`."""
        balance = self.balance(holder, token)
        if amount > balance:
            project_id, fiscal_year = split_token_id(token)
            raise JCreditError(
                f"cannot {action} {amount} t-CO2: {holder} holds {balance} t-CO2 of token {token} "
                f"(project {project_id}, FY{fiscal_year})"
            )

    def transfer(self, sender: Sender, to: str, token: int, amount: int) -> str:
        """Move `amount` t-CO2 of `token` from the sender to `to`; the transaction hash."""
        if to.lower() == sender.address.lower():
            raise JCreditError(
                f"cannot transfer to {to}: it is the sending account itself, so nothing would "
                "change (nothing sent)"
            )
        self.check_balance(sender.address, token, amount, "transfer")
        action = f"transferring {amount} t-CO2 of token {token} to {to}"
        try:
            receipt = sender.send(
                action, self.contract.safeTransferFrom, sender.address, to, token, amount, b""
            )
        except ChainError as exc:
            # A contract without onERC1155Received makes the token's callback revert with no
            # reason at all: the node only says "execution reverted". Name the cause instead.
            reason = str(exc).rpartition(" refused: ")[2]
            generic = ":" not in reason  # the contracts' own reasons read "erc1155: ..."
            if generic and sender.read(
                "reading the receiver's code", lambda: sender.provider.get_code(to)
            ):
                raise ChainError(
                    f"{action} refused: {to} is a contract that does not accept ERC-1155 tokens "
                    "(it has no onERC1155Received, or it refused them); send to an account or "
                    "a contract that can hold credits (nothing sent)"
                ) from None
            raise
        return str(receipt.txn_hash)

    def retire(
        self,
        sender: Sender,
        token: int,
        amount: int,
        beneficiary: str,
        purpose: RetirementPurpose,
        memo: str,
    ) -> Retired:
        """Retire (burn and record) the sender's not yet certified credits for a beneficiary
        and purpose (certified ones: `CertificationClient.retire`, from their round).

        The beneficiary is stripped of surrounding spaces and must not be empty: a retirement is
        irreversible, and one claimed for nobody cannot be claimed again.
        """
        beneficiary = beneficiary.strip()
        if not beneficiary:
            raise JCreditError("the beneficiary is empty (only spaces): name who claims it")
        self.check_balance(sender.address, token, amount, "retire")
        uncertified = int(self.contract.uncertified_supply(token))
        if amount > uncertified:
            raise JCreditError(
                f"cannot retire {amount} t-CO2 of token {token} as not yet certified: only "
                f"{uncertified} t-CO2 of its supply are uncertified; retire certified credits "
                "from their certification round (`--certification N`)"
            )
        receipt = sender.send(
            f"retiring {amount} t-CO2 of token {token}",
            self.contract.retire,
            token,
            amount,
            beneficiary,
            int(purpose),
            memo,
        )
        (event,) = receipt.events.filter(self.contract.Retired)
        return Retired(int(event.retirement_id), str(receipt.txn_hash))
