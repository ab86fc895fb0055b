# pragma version ~=0.4.3
"""
@title Solar J-Credit credits: ERC-1155 with retirement
@custom:contract-name CarbonCredit
@license MIT
@notice One token id per (project, fiscal year):
        `token_id = (project_id << 16) | fiscal_year`; amounts are whole
        t-CO2. The ERC-1155 is the lean `credit_token` module (standard
        ABI, events and receiver checks; `uri` = base URI + decimal token
        id) with snekmate's `ownable_2step` admin (no renounce exported).
        Only one contract ever mints: the admin binds it once
        (`bind_registry`; the MonitoringReports contract, which mints when
        it finalizes a report), so token ids cannot collide.
        Pause policy: a pause (PAUSER_ROLE, `credit_pause`: send 1 wei
        with `pause`, `unpause` returns it) stops minting and transfers;
        retirement stays open (see `retire`).
        Certification rounds (`certification`): a registrar (REGISTRAR_ROLE
        on the Registry) records each J-Credit certification of a token's
        credits; holders retire certified credits from a named round
        (`retire_certified`) and uncertified ones with `retire`.
"""

from snekmate.auth import ownable
from snekmate.auth import ownable_2step
from snekmate.utils import pausable
from .modules import constants
from .modules import credit_token
from .modules import roles
from .modules import credit_pause
from .modules import certification
from .modules import retirement

initializes: ownable
initializes: ownable_2step[ownable := ownable]
initializes: roles[ownable := ownable, ownable_2step := ownable_2step]
initializes: pausable
initializes: credit_pause[pausable := pausable, roles := roles]
initializes: credit_token[credit_pause := credit_pause]
initializes: certification[credit_token := credit_token]
initializes: retirement[credit_token := credit_token, certification := certification]

exports: (
    ownable.owner,
    ownable_2step.pending_owner,
    ownable_2step.transfer_ownership,
    roles.accept_ownership,
    roles.VALIDATOR_ROLE,
    roles.ORACLE_ROLE,
    roles.PAUSER_ROLE,
    roles.REGISTRAR_ROLE,
    roles.ADMIN_DELAY,
    roles.has_role,
    roles.role_grant_eta,
    roles.launched,
    roles.grant_role,
    roles.activate_role,
    roles.cancel_role_grant,
    roles.revoke_role,
    roles.launch,
    pausable.paused,
    credit_pause.pause,
    credit_pause.unpause,
    credit_token.supportsInterface,
    credit_token.safeTransferFrom,
    credit_token.safeBatchTransferFrom,
    credit_token.balanceOf,
    credit_token.balanceOfBatch,
    credit_token.isApprovedForAll,
    credit_token.setApprovalForAll,
    credit_token.uri,
    credit_token.total_supply,
    retirement.PURPOSE_GHG_LAW_REPORTING,
    retirement.PURPOSE_CARBON_OFFSET,
    retirement.PURPOSE_CDP,
    retirement.PURPOSE_RE100,
    retirement.PURPOSE_SBT,
    retirement.PURPOSE_OTHER,
    retirement.retire,
    retirement.retirements,
    retirement.retirement_count,
    retirement.retired_by_holder,
    retirement.retire_certified,
    certification.MAX_REPORTS,
    certification.certification_count,
    certification.certification_of_report,
    certification.last_serial,
    certification.certifications,
    certification.certification_by_number,
    certification.certified,
    certification.certified_retired,
    certification.uncertified_supply,
)


# @dev Largest amount one mint may create, exclusive: every minted credit
#      stays retirable (retirement records hold 128-bit amounts) and a
#      token's supply could only reach 2**128 after 2**64 mints.
_MINT_BOUND: constant(uint256) = 2**64


# @notice The only minter (the MonitoringReports contract), bound once for
#         the contract's life (zero until bound).
registry: public(address)


# @notice The admin bound the only minter; it can never change.
event RegistryBound:
    registry: indexed(address)


# @notice Standard ERC-1155 event, declared so that it is in the ABI: token
#         URIs never change (`uri(id)` is the base URI followed by the id),
#         so it is never emitted.
event URI:
    _value: String[512]
    _id: indexed(uint256)


@deploy
def __init__(base_uri: String[80]):
    """
    @notice The deployer becomes admin; it then binds the minter
            (`bind_registry`).
    @param base_uri Prefix of every token's metadata URI (`uri(id)` is
           base_uri followed by the decimal id).
    """
    ownable.__init__()
    ownable_2step.__init__()
    roles.__init__()
    pausable.__init__()
    credit_pause.__init__()
    credit_token.__init__(base_uri)
    certification.__init__()
    retirement.__init__()


@external
def bind_registry(registry: address):
    """
    @notice Binds the only minter, the MonitoringReports contract (admin,
            once for good).
    @param registry The minting contract.
    """
    ownable._check_owner()
    assert self.registry == empty(address), "credit: registry already bound"
    assert registry.is_contract, "credit: registry is not a contract"
    self.registry = registry
    log RegistryBound(registry=registry)


@external
def mint(owner: address, token_id: uint256, amount: uint256):
    """
    @notice Mints credits (the bound minter, on finalizing a report or a
            claim); refused while paused. A contract owner must accept
            ERC-1155 (receiver check).
    @dev No minted total is stored: "ever minted" is supply + retired, both
         in the token's one supply slot. The per-mint bound keeps every
         credit retirable (128-bit amounts in retirement records).
    @param owner Receiver of the credits.
    @param token_id The credit token id (< 2**128).
    @param amount Whole t-CO2 (> 0, < 2**64).
    """
    assert msg.sender == self.registry, "credit: caller is not the registry"
    credit_pause._check_not_paused()
    assert amount != 0, "credit: zero amount"
    assert amount < _MINT_BOUND, "credit: amount too large"
    # Retirement records pack token id and amount into 128 bits each: never
    # mint a credit its holder could not retire.
    assert token_id <= constants.MASK_128, "credit: token id too large"
    credit_token._mint(owner, token_id, amount)


@external
@view
def retired_by_token(token_id: uint256) -> uint256:
    """
    @notice Total t-CO2 retired of `token_id`.
    @dev `retire` is the only burn; the total shares the token's supply
         slot, which the burn writes anyway.
    @param token_id The credit token id.
    @return uint256 The retired total.
    """
    return credit_token._burned(token_id)


@external
@view
def minted(token_id: uint256) -> uint256:
    """
    @notice Total t-CO2 ever minted of `token_id`.
    @dev Derived, not stored: supply in circulation plus retired.
    @param token_id The credit token id.
    @return uint256 total_supply(token_id) + retired_by_token(token_id).
    """
    return credit_token._minted(token_id)


@external
@pure
def token_id(project_id: uint256, fiscal_year: uint16) -> uint256:
    """
    @notice The token id of a project's fiscal year.
    @param project_id The project id (< 2**240).
    @param fiscal_year The fiscal year (vintage).
    @return uint256 (project_id << 16) | fiscal_year.
    """
    assert project_id < 2**240, "credit: project id too large"
    return (project_id << 16) | convert(fiscal_year, uint256)


@external
def record_certification(
    certification_number: String[32],
    token_id: uint256,
    report_ids: DynArray[uint256, certification.MAX_REPORTS],
    amount: uint256,
    first_serial: uint256,
    last_serial: uint256,
) -> uint256:
    """
    @notice Records a J-Credit certification round of `token_id` (holder of
            REGISTRAR_ROLE on the Registry of the bound minter). Each report
            id is certified once for good; the amount is at most the
            token's uncertified supply; the serial range has one serial per
            t-CO2 and lies above every earlier range of the token. Logs
            `CertificationRecorded`.
    @param certification_number The scheme's certification number (unique).
    @param token_id The credit token id, (project_id << 16) | fiscal_year.
    @param report_ids The finalized reports of that project and year the
           round covers (1 to MAX_REPORTS, none certified before).
    @param amount Whole t-CO2 certified (> 0, < 2**64).
    @param first_serial First registry serial of the round.
    @param last_serial Last registry serial: last - first + 1 = amount.
    @return uint256 The round's certification id (from 1).
    """
    return certification._record(
        self.registry, certification_number, token_id, report_ids, amount, first_serial, last_serial
    )
