# pragma version ~=0.4.3
"""
@title Solar J-Credit credits: ERC-1155 with retirement
@custom:contract-name CarbonCredit
@license MIT
@notice One token id per (project, fiscal year):
        `token_id = (project_id << 16) | fiscal_year`; amounts are whole
        t-CO2. Built on snekmate's `erc1155` (balances, approvals, receiver
        checks, metadata `uri` = base URI + decimal token id) with
        snekmate's `ownable_2step` admin (no renounce exported). Only one
        Registry ever mints: the admin binds it once (`bind_registry`), so
        token ids cannot collide between registries; snekmate's own minter
        list, set for the deployer by `erc1155.__init__`, is not exported
        and unused.
        Pause policy: a pause (PAUSER_ROLE) stops minting and transfers;
        retirement stays open (see `retire`). The admin can attach the
        J-Credit registry's reference to a token id, once.
"""

from snekmate.auth import ownable
from snekmate.auth import ownable_2step
from snekmate.tokens import erc1155
from snekmate.utils import pausable
from .modules import roles
from .modules import emergency_pause
from .modules import retirement

initializes: ownable
initializes: ownable_2step[ownable := ownable]
initializes: erc1155[ownable := ownable]
initializes: roles[ownable := ownable, ownable_2step := ownable_2step]
initializes: pausable
initializes: emergency_pause[pausable := pausable, roles := roles]
initializes: retirement[erc1155 := erc1155]

exports: (
    ownable.owner,
    ownable_2step.pending_owner,
    ownable_2step.transfer_ownership,
    roles.accept_ownership,
    roles.VALIDATOR_ROLE,
    roles.ORACLE_ROLE,
    roles.PAUSER_ROLE,
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
    emergency_pause.pause,
    emergency_pause.unpause,
    erc1155.supportsInterface,
    erc1155.balanceOf,
    erc1155.balanceOfBatch,
    erc1155.isApprovedForAll,
    erc1155.setApprovalForAll,
    erc1155.uri,
    erc1155.total_supply,
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
)


# @notice The Registry that mints, bound once for the contract's life (zero
#         until bound).
registry: public(address)
# @notice Total t-CO2 ever minted per token id (supply = minted - retired).
minted: public(HashMap[uint256, uint256])
# @notice J-Credit registry reference per token id (empty until set; write once).
registry_reference: public(HashMap[uint256, String[64]])


# @notice The admin bound the Registry that mints; it can never change.
event RegistryBound:
    registry: indexed(address)


# @notice The admin recorded the J-Credit registry's reference of `token_id`.
event RegistryReferenceSet:
    token_id: indexed(uint256)
    reference: String[64]


@deploy
def __init__(base_uri: String[80]):
    """
    @notice The deployer becomes admin; it then binds the Registry
            (`bind_registry`).
    @param base_uri Prefix of every token's metadata URI (`uri(id)` is
           base_uri followed by the decimal id).
    """
    ownable.__init__()
    ownable_2step.__init__()
    erc1155.__init__(base_uri)
    roles.__init__()
    pausable.__init__()
    emergency_pause.__init__()
    retirement.__init__()


@external
def safeTransferFrom(owner: address, to: address, id: uint256, amount: uint256, data: Bytes[1_024]):
    """
    @notice Standard ERC-1155 single transfer (by the owner or an approved
            operator, with the receiver check); refused while paused.
    @param owner The current holder.
    @param to The receiver (a contract must accept ERC-1155).
    @param id The token id.
    @param amount The amount in t-CO2.
    @param data Passed to the receiver hook.
    """
    pausable._require_not_paused()
    assert (
        owner == msg.sender or erc1155.isApprovedForAll[owner][msg.sender]
    ), "erc1155: caller is not token owner or approved"
    erc1155._safe_transfer_from(owner, to, id, amount, data)


@external
def safeBatchTransferFrom(
    owner: address,
    to: address,
    ids: DynArray[uint256, 128],
    amounts: DynArray[uint256, 128],
    data: Bytes[1_024],
):
    """
    @notice Standard ERC-1155 batch transfer; refused while paused.
    @param owner The current holder.
    @param to The receiver (a contract must accept ERC-1155).
    @param ids The token ids.
    @param amounts The amounts, one per id.
    @param data Passed to the receiver hook.
    """
    pausable._require_not_paused()
    assert (
        owner == msg.sender or erc1155.isApprovedForAll[owner][msg.sender]
    ), "erc1155: caller is not token owner or approved"
    erc1155._safe_batch_transfer_from(owner, to, ids, amounts, data)


@external
def bind_registry(registry: address):
    """
    @notice Binds the one Registry that may mint (admin, once for good).
    @param registry The Registry contract.
    """
    ownable._check_owner()
    assert self.registry == empty(address), "credit: registry already bound"
    assert registry.is_contract, "credit: registry is not a contract"
    self.registry = registry
    log RegistryBound(registry=registry)


@external
def mint(owner: address, token_id: uint256, amount: uint256):
    """
    @notice Mints credits (the bound Registry, on finalizing a report);
            refused while paused. A contract owner must accept ERC-1155
            (receiver check).
    @param owner Receiver of the credits.
    @param token_id The credit token id.
    @param amount Whole t-CO2 (> 0).
    """
    assert msg.sender == self.registry, "credit: caller is not the registry"
    pausable._require_not_paused()
    assert amount != 0, "credit: zero amount"
    # Retirement records pack token id and amount into 128 bits each: never
    # mint a credit its holder could not retire.
    assert token_id < 2**128, "credit: token id too large"
    new_total: uint256 = self.minted[token_id] + amount
    assert new_total < 2**128, "credit: minted total too large"
    self.minted[token_id] = new_total
    erc1155._safe_mint(owner, token_id, amount, b"")


@external
@view
def retired_by_token(token_id: uint256) -> uint256:
    """
    @notice Total t-CO2 retired of `token_id`.
    @dev Derived instead of stored (saves retire a storage write): `retire`
         is the only burn and `mint` the only mint, so the retired total is
         what was minted and is no longer in supply.
    @param token_id The credit token id.
    @return minted(token_id) - total_supply(token_id).
    """
    return self.minted[token_id] - erc1155.total_supply[token_id]


@external
@pure
def token_id(project_id: uint256, fiscal_year: uint16) -> uint256:
    """
    @notice The token id of a project's fiscal year.
    @param project_id The project id (< 2**240).
    @param fiscal_year The fiscal year (vintage).
    @return (project_id << 16) | fiscal_year.
    """
    assert project_id < 2**240, "credit: project id too large"
    return (project_id << 16) | convert(fiscal_year, uint256)


@external
def set_registry_reference(token_id: uint256, reference: String[64]):
    """
    @notice Records the J-Credit registry's reference for a minted token id
            (admin; once per token id).
    @param token_id The credit token id.
    @param reference The registry's reference (non-empty).
    """
    ownable._check_owner()
    assert self.minted[token_id] != 0, "credit: unknown token"
    assert len(reference) != 0, "credit: empty reference"
    assert len(self.registry_reference[token_id]) == 0, "credit: reference already set"
    self.registry_reference[token_id] = reference
    log RegistryReferenceSet(token_id=token_id, reference=reference)
