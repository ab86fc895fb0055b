"""Typed client of the J-Credit certification rounds on CarbonCredit.vy: record a round (the
registrar), read rounds and a token's certified and uncertified credits, retire from a round.

J-Credits exist once a verification-and-certification round certifies an amount; the registrar
(REGISTRAR_ROLE on the Registry) mirrors each round on chain. Balances are fungible, so a token's
certification is a property of its supply: `certified - certified_retired` of the supply in
circulation is certified (retired by naming a round, which draws the round's remaining amount and
its serials in order), the rest is not yet. Before recording, this client checks what the
contract cannot (it keeps no per-report record): every report is finalized, of the token's
project and fiscal year, and together they minted at least the amount.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from jcredit.credits import Retired
from jcredit.errors import JCreditError, NotFoundError
from jcredit.history import FinalizedReport, finalized_reports
from jcredit.types import REGISTRAR_ROLE, RetirementPurpose, split_token_id

if TYPE_CHECKING:
    from ape.contracts import ContractInstance

    from jcredit.tx import Sender

MAX_REPORTS = 64
NUMBER_BYTES = 32


@dataclass(frozen=True)
class Certification:
    """A round as CarbonCredit stores it."""

    certification_id: int
    token_id: int
    amount: int
    retired: int
    first_serial: int
    last_serial: int
    certification_number: str

    @property
    def remaining(self) -> int:
        return self.amount - self.retired

    @property
    def project_id(self) -> int:
        return split_token_id(self.token_id)[0]

    @property
    def fiscal_year(self) -> int:
        return split_token_id(self.token_id)[1]


@dataclass(frozen=True)
class TokenCertification:
    """A token's credits split into certified and not yet certified (whole t-CO2)."""

    token_id: int
    minted: int
    supply: int  # in circulation
    certified: int  # sum of the token's rounds
    certified_retired: int
    uncertified_supply: int  # in circulation, not certified: `retire` takes these

    @property
    def certified_supply(self) -> int:
        """Certified credits in circulation: retired from their rounds (`retire_certified`)."""
        return self.certified - self.certified_retired

    @property
    def uncertified_retired(self) -> int:
        return self.minted - self.supply - self.certified_retired


class CertificationClient:
    def __init__(
        self,
        credit: ContractInstance,
        registry: ContractInstance,
        reports: ContractInstance,
        start_block: int,
    ) -> None:
        self.contract = credit
        self.registry = registry
        self.reports = reports
        self.start_block = start_block

    # -- reading ----------------------------------------------------------------------------------
    def is_registrar(self, address: str) -> bool:
        return bool(self.registry.has_role(REGISTRAR_ROLE, address))

    def count(self) -> int:
        return int(self.contract.certification_count())

    def certification(self, certification_id: int) -> Certification:
        count = self.count()
        if not 1 <= certification_id <= count:
            known = f"1..{count}" if count else "no rounds yet"
            raise NotFoundError(
                f"unknown certification round {certification_id}: this contract has {known}"
            )
        c = self.contract.certifications(certification_id)
        return Certification(
            certification_id,
            int(c.token_id),
            int(c.amount),
            int(c.retired),
            int(c.first_serial),
            int(c.last_serial),
            str(c.certification_number),
        )

    def by_number(self, certification_number: str) -> int:
        """The round recorded under a certification number (0 = none)."""
        return int(self.contract.certification_by_number(certification_number))

    def rounds(self, token: int | None = None) -> list[Certification]:
        """Every round (of one token, or all), by id."""
        out = [self.certification(i) for i in range(1, self.count() + 1)]
        return [c for c in out if token is None or c.token_id == token]

    def certification_of_report(self, report_id: int) -> int:
        return int(self.contract.certification_of_report(report_id))

    def token_status(self, token: int) -> TokenCertification:
        return TokenCertification(
            token_id=token,
            minted=int(self.contract.minted(token)),
            supply=int(self.contract.total_supply(token)),
            certified=int(self.contract.certified(token)),
            certified_retired=int(self.contract.certified_retired(token)),
            uncertified_supply=int(self.contract.uncertified_supply(token)),
        )

    # -- recording (the registrar) ----------------------------------------------------------------
    def check_round(
        self,
        registrar: str,
        certification_number: str,
        token: int,
        report_ids: list[int],
        amount: int,
        first_serial: int,
        last_serial: int,
    ) -> list[FinalizedReport]:
        """The finalized reports the round covers; JCreditError naming the first problem.

        Checks everything the contract checks, and what only the events show: each report is
        finalized and of the token's project and fiscal year, and the reports minted at least
        `amount` t-CO2 (their `minted_t`, which includes grams carried from earlier reports of
        the year; a fraction of a tonne is never minted, so never certified).
        """
        project_id, fiscal_year = split_token_id(token)
        if not self.is_registrar(registrar):
            raise JCreditError(
                f"{registrar} does not hold REGISTRAR_ROLE on the Registry: only the registrar "
                "records certification rounds (nothing sent)"
            )
        number = certification_number.strip()
        if not number or len(number.encode()) > NUMBER_BYTES:
            raise JCreditError(
                f"certification number {certification_number!r}: 1..{NUMBER_BYTES} bytes"
            )
        if self.by_number(number):
            raise JCreditError(
                f"certification number {number} is already round {self.by_number(number)}"
            )
        if not report_ids or len(report_ids) > MAX_REPORTS:
            raise JCreditError(f"a round covers 1..{MAX_REPORTS} reports, not {len(report_ids)}")
        if len(set(report_ids)) != len(report_ids):
            raise JCreditError(f"report ids listed twice: {report_ids}")
        finalized = {
            r.submitted.report_id: r
            for r in finalized_reports(self.reports, self.start_block, project_id)
        }
        covered = []
        for report_id in report_ids:
            report = finalized.get(report_id)
            if report is None:
                raise JCreditError(
                    f"report {report_id} is not a finalized report of project {project_id} "
                    "(pending, undone, of another project, or never submitted): only finalized "
                    "reports are certified"
                )
            if report.token_id != token:
                raise JCreditError(
                    f"report {report_id} is of FY{report.submitted.fiscal_year}, not "
                    f"FY{fiscal_year}: a round certifies one project and fiscal year"
                )
            earlier = self.certification_of_report(report_id)
            if earlier:
                raise JCreditError(f"report {report_id} is already certified in round {earlier}")
            covered.append(report)
        minted = sum(r.minted_t for r in covered)
        if amount < 1 or amount > minted:
            raise JCreditError(
                f"cannot certify {amount} t-CO2: reports {report_ids} minted {minted} t-CO2 "
                "(whole tonnes; the carried fraction of a tonne is never minted)"
            )
        status = self.token_status(token)
        if amount > status.uncertified_supply:
            raise JCreditError(
                f"cannot certify {amount} t-CO2 of token {token}: only "
                f"{status.uncertified_supply} t-CO2 in circulation are not yet certified"
            )
        floor = int(self.contract.last_serial(token))
        if first_serial <= floor:
            raise JCreditError(
                f"serials {first_serial}..{last_serial} overlap: token {token}'s rounds reach "
                f"serial {floor}; the next range starts above it"
            )
        if last_serial - first_serial + 1 != amount:
            raise JCreditError(
                f"serials {first_serial}..{last_serial} are {last_serial - first_serial + 1}, "
                f"not one per t-CO2 of {amount}"
            )
        return covered

    def record(
        self,
        sender: Sender,
        certification_number: str,
        token: int,
        report_ids: list[int],
        amount: int,
        first_serial: int,
        last_serial: int | None = None,
    ) -> tuple[int, str]:
        """Record a round; (certification id, transaction hash). `last_serial` defaults to
        first_serial + amount - 1."""
        if last_serial is None:
            last_serial = first_serial + amount - 1
        number = certification_number.strip()
        self.check_round(
            sender.address, number, token, report_ids, amount, first_serial, last_serial
        )
        receipt = sender.send(
            f"recording certification {number} ({amount} t-CO2 of token {token})",
            self.contract.record_certification,
            number,
            token,
            report_ids,
            amount,
            first_serial,
            last_serial,
        )
        (event,) = receipt.events.filter(self.contract.CertificationRecorded)
        return int(event.certification_id), str(receipt.txn_hash)

    # -- retiring (holders) -----------------------------------------------------------------------
    def retire(
        self,
        sender: Sender,
        certification_id: int,
        amount: int,
        beneficiary: str,
        purpose: RetirementPurpose,
        memo: str,
    ) -> Retired:
        """Retire the sender's certified credits from round `certification_id`."""
        beneficiary = beneficiary.strip()
        if not beneficiary:
            raise JCreditError("the beneficiary is empty (only spaces): name who claims it")
        round_ = self.certification(certification_id)
        if amount > round_.remaining:
            raise JCreditError(
                f"cannot retire {amount} t-CO2 from certification {round_.certification_number} "
                f"(round {certification_id}): {round_.remaining} t-CO2 of it remain"
            )
        balance = int(self.contract.balanceOf(sender.address, round_.token_id))
        if amount > balance:
            raise JCreditError(
                f"cannot retire {amount} t-CO2: {sender.address} holds {balance} t-CO2 of token "
                f"{round_.token_id}"
            )
        receipt = sender.send(
            f"retiring {amount} t-CO2 of certification {round_.certification_number}",
            self.contract.retire_certified,
            certification_id,
            amount,
            beneficiary,
            int(purpose),
            memo,
        )
        (event,) = receipt.events.filter(self.contract.Retired)
        return Retired(int(event.retirement_id), str(receipt.txn_hash))
