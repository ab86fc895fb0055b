# pragma version ~=0.4.3
"""
@title J-Credit certification rounds of the credits
@custom:contract-name certification
@license MIT
@notice J-Credits exist once a verification-and-certification round
        certifies an amount; the registry then numbers them. A registrar
        (REGISTRAR_ROLE, held on the Registry) records each round here: its
        certification number, the reports it covers, the whole t-CO2 it
        certifies of one token id and the registry's serial range.

        Credits are fungible ERC-1155 balances, so certification is a
        property of a token's supply, not of a holder's credits. Per token:
        `certified` (the sum of its rounds) and `certified_retired` (what
        holders retired from its rounds); `certified - certified_retired`
        of the supply in circulation is certified, the rest
        (`uncertified_supply`) is not yet. A holder retires certified
        credits by naming a round (`retire_certified`), which draws that
        round's remaining amount and its serials in order; a plain `retire`
        only takes uncertified supply. So at all times
        sum(certified) <= minted, certified_retired <= certified, each
        round's retired <= its amount, and the certified credits still in
        circulation never exceed the supply.

        Enforced on chain: the caller holds REGISTRAR_ROLE on the Registry;
        a report id is certified at most once (in at most one round, once
        in it); every report id exists and is not the project's pending
        report; the amount is at most the token's uncertified supply (so
        never more than was minted); serial ranges of a token are one
        serial per t-CO2 and strictly increasing (never overlap); a
        certification number is used once. Trusted to the registrar (and
        checked by the SDK before sending and by anyone from the events):
        that each report is finalized and of the token's project and fiscal
        year, and that the amount is at most what those reports minted (the
        reports contract keeps no per-report record on chain).
"""

from . import constants
from . import credit_token

uses: credit_token


# @notice A certification round as recorded; all zero for an unknown id.
struct Certification:
    token_id: uint256
    amount: uint256
    retired: uint256
    first_serial: uint256
    last_serial: uint256
    certification_number: String[32]


# @dev A project's unfinalized report, as MonitoringReports returns it.
struct PendingReport:
    status: uint256
    report_id: uint256
    challenge_deadline: uint64
    facts_hash: bytes32
    disputer: address
    disputed_at: uint64


interface IReports:
    def registry() -> address: view
    def report_count() -> uint256: view
    def pending_report(project_id: uint256) -> PendingReport: view


interface IRoles:
    def has_role(role: bytes32, account: address) -> bool: view


# @notice Most reports one round may cover.
MAX_REPORTS: public(constant(uint256)) = 64

_REGISTRAR_ROLE: constant(bytes32) = keccak256("REGISTRAR_ROLE")
# Round ids share the retirement record's head slot (bits 232-255).
_MAX_CERTIFICATIONS: constant(uint256) = 2**24 - 1

# @notice Number of rounds recorded; ids run from 1 to `certification_count`.
certification_count: public(uint256)
# @notice The round that certified a report (0 = not certified).
certification_of_report: public(HashMap[uint256, uint256])
# @notice Highest serial certified of a token (0 = none): the next round's
#         range starts above it.
last_serial: public(HashMap[uint256, uint256])
# @dev Per round: token id (bits 0-127) | amount (128-191) | retired (192-255).
_head: HashMap[uint256, uint256]
# @dev Per round: first serial (bits 0-127) | last serial (128-255).
_serials: HashMap[uint256, uint256]
# @dev Per round: its certification number.
_number: HashMap[uint256, String[32]]
# @dev Per token: certified (bits 0-127) | certified retired (128-255).
_token: HashMap[uint256, uint256]
# @dev keccak256 of a certification number -> its round.
_by_number: HashMap[bytes32, uint256]


# @notice The registrar recorded round `certification_id`: `amount` t-CO2
#         of `token_id`, covering `report_ids`, serials `first_serial` ..
#         `last_serial`, under the scheme's `certification_number`.
event CertificationRecorded:
    certification_id: indexed(uint256)
    token_id: indexed(uint256)
    registrar: indexed(address)
    certification_number: String[32]
    report_ids: DynArray[uint256, MAX_REPORTS]
    amount: uint256
    first_serial: uint256
    last_serial: uint256


@deploy
def __init__():
    """
    @notice Nothing to set: no rounds yet.
    """
    pass


@internal
def _record(
    reports: address,
    certification_number: String[32],
    token_id: uint256,
    report_ids: DynArray[uint256, MAX_REPORTS],
    amount: uint256,
    first_serial: uint256,
    last_serial: uint256,
) -> uint256:
    """
    @notice Records a certification round (REGISTRAR_ROLE on the Registry
            of `reports`).
    @param reports The bound minter (MonitoringReports).
    @param certification_number The scheme's certification number.
    @param token_id The credit token id, (project_id << 16) | fiscal_year.
    @param report_ids The finalized reports of that project and year.
    @param amount Whole t-CO2 certified.
    @param first_serial First registry serial of the round.
    @param last_serial Last registry serial (last - first + 1 = amount).
    @return uint256 The round's id (from 1).
    """
    registry: address = staticcall IReports(reports).registry()
    assert staticcall IRoles(registry).has_role(_REGISTRAR_ROLE, msg.sender), "certification: caller is not a registrar"
    assert len(certification_number) != 0, "certification: empty number"
    number_hash: bytes32 = keccak256(certification_number)
    assert self._by_number[number_hash] == 0, "certification: number used"
    assert len(report_ids) != 0, "certification: no reports"
    assert amount != 0, "certification: zero amount"
    assert amount <= constants.MASK_64, "certification: amount too large"
    assert first_serial > self.last_serial[token_id], "certification: serials overlap"
    assert last_serial <= constants.MASK_128, "certification: serial too large"
    assert last_serial >= first_serial and last_serial - first_serial + 1 == amount, "certification: serials != amount"
    assert amount <= self._uncertified_supply(token_id), "certification: amount > uncertified"
    certification_id: uint256 = self.certification_count + 1
    assert certification_id <= _MAX_CERTIFICATIONS, "certification: too many rounds"
    count: uint256 = staticcall IReports(reports).report_count()
    pending: uint256 = 0
    pending_report: PendingReport = staticcall IReports(reports).pending_report(token_id >> 16)
    if pending_report.status != 0:
        pending = pending_report.report_id
    for report_id: uint256 in report_ids:
        assert report_id != 0 and report_id <= count, "certification: unknown report"
        assert report_id != pending, "certification: report pending"
        assert self.certification_of_report[report_id] == 0, "certification: report certified"
        self.certification_of_report[report_id] = certification_id
    self.certification_count = certification_id
    self._by_number[number_hash] = certification_id
    self._head[certification_id] = token_id | (amount << 128)
    self._serials[certification_id] = first_serial | (last_serial << 128)
    self._number[certification_id] = certification_number
    self.last_serial[token_id] = last_serial
    self._token[token_id] += amount
    log CertificationRecorded(
        certification_id=certification_id,
        token_id=token_id,
        registrar=msg.sender,
        certification_number=certification_number,
        report_ids=report_ids,
        amount=amount,
        first_serial=first_serial,
        last_serial=last_serial,
    )
    return certification_id


@internal
def _draw(certification_id: uint256, amount: uint256) -> (uint256, uint256):
    """
    @notice Takes `amount` of a round's remaining certified credits for a
            retirement: the round's and its token's retired totals grow.
    @param certification_id The round.
    @param amount Whole t-CO2 (> 0, checked by the caller).
    @return uint256 The round's token id.
    @return uint256 The first serial of the credits drawn.
    """
    head: uint256 = self._head[certification_id]
    assert head != 0, "certification: unknown round"
    retired: uint256 = head >> 192
    assert amount <= ((head >> 128) & constants.MASK_64) - retired, "certification: amount > remaining"
    token_id: uint256 = head & constants.MASK_128
    # retired + amount <= the round's amount < 2**64: stays in its 64 bits.
    self._head[certification_id] = head + (amount << 192)
    self._token[token_id] += amount << 128
    return token_id, (self._serials[certification_id] & constants.MASK_128) + retired


@internal
@view
def _check_uncertified(token_id: uint256):
    """
    @notice After a plain retirement's burn: reverts when it took certified
            credits, i.e. the supply left is below the certified credits in
            circulation (those are retired by naming their round).
    @param token_id The credit token id.
    """
    packed: uint256 = self._token[token_id]
    assert credit_token._supply[token_id] & constants.MASK_128 >= (packed & constants.MASK_128) - (packed >> 128), "certification: name the round"


@internal
@view
def _uncertified_supply(token_id: uint256) -> uint256:
    """
    @notice Credits of `token_id` in circulation that no round certified.
    @param token_id The credit token id.
    @return uint256 Supply minus the certified credits in circulation.
    """
    packed: uint256 = self._token[token_id]
    return (credit_token._supply[token_id] & constants.MASK_128) - ((packed & constants.MASK_128) - (packed >> 128))


@external
@view
def certifications(certification_id: uint256) -> Certification:
    """
    @notice A certification round (all zero for an unknown id).
    @param certification_id The round.
    @return (token_id, amount, retired, first_serial, last_serial,
            certification_number).
    """
    head: uint256 = self._head[certification_id]
    serials: uint256 = self._serials[certification_id]
    return Certification(
        token_id=head & constants.MASK_128,
        amount=(head >> 128) & constants.MASK_64,
        retired=head >> 192,
        first_serial=serials & constants.MASK_128,
        last_serial=serials >> 128,
        certification_number=self._number[certification_id],
    )


@external
@view
def certification_by_number(certification_number: String[32]) -> uint256:
    """
    @notice The round recorded under a certification number (0 = none).
    @param certification_number The scheme's certification number.
    @return uint256 The round's id.
    """
    return self._by_number[keccak256(certification_number)]


@external
@view
def certified(token_id: uint256) -> uint256:
    """
    @notice Total t-CO2 of `token_id` certified, over all its rounds.
    @param token_id The credit token id.
    @return uint256 The certified total (<= minted).
    """
    return self._token[token_id] & constants.MASK_128


@external
@view
def certified_retired(token_id: uint256) -> uint256:
    """
    @notice Total t-CO2 of `token_id` retired from its rounds.
    @param token_id The credit token id.
    @return uint256 The total (<= certified).
    """
    return self._token[token_id] >> 128


@external
@view
def uncertified_supply(token_id: uint256) -> uint256:
    """
    @notice Credits of `token_id` in circulation not yet certified: a plain
            `retire` takes at most these; the rest of the supply,
            `certified - certified_retired`, is retired from its rounds.
    @param token_id The credit token id.
    @return uint256 The uncertified supply.
    """
    return self._uncertified_supply(token_id)
