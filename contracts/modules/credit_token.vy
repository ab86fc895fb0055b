# pragma version ~=0.4.3
"""
@title Lean ERC-1155 of the credits, with pause and packed supply
@custom:contract-name credit_token
@license MIT
@notice The ERC-1155 standard (https://eips.ethereum.org/EIPS/eip-1155)
        for CarbonCredit, written for gas: the same externals, events,
        revert messages and receiver checks as snekmate's `erc1155` (which
        it replaces), without its transfer hooks (singleton arrays, copies
        of the `data` bytes), its minter list and per-token URIs.
        - Transfers (`safeTransferFrom`, `safeBatchTransferFrom`) by the
          holder or an approved operator; refused while paused
          (`credit_pause`, whose check is nearly free while unpaused).
        - A receiver that is a contract must return the ERC-1155 acceptance
          selector from `onERC1155Received` / `onERC1155BatchReceived`;
          an account without code is not called. Zero-address receivers are
          refused.
        - `uri(id)` is the base URI followed by the decimal id; token URIs
          never change, so no `URI` event is ever emitted.
        - Per token id one storage slot holds the supply in circulation
          (bits 0-127) and the amount burned by retirement (bits 128-255):
          a mint and a retirement each write that one slot, and "ever
          minted" is their sum.
        Minting (`_mint`) and burning (`_burn`) are internal: CarbonCredit
        decides who may mint and the retirement module who burns.
"""

from ethereum.ercs import IERC165
from snekmate.tokens.interfaces import IERC1155
from snekmate.tokens.interfaces import IERC1155MetadataURI
from snekmate.tokens.interfaces import IERC1155Receiver
from . import constants
from . import credit_pause

implements: IERC165
implements: IERC1155
implements: IERC1155MetadataURI

uses: credit_pause


# @dev ERC-165 identifiers: ERC-165, ERC-1155, ERC-1155 metadata URI.
_SUPPORTED_INTERFACES: constant(bytes4[3]) = [0x01FFC9A7, 0xD9B67A26, 0x0E89341C]
# @dev Longest batch, as in snekmate's `erc1155` and its interface.
_BATCH_SIZE: constant(uint256) = 128
# @dev What `onERC1155Received` must return to accept a transfer.
_RECEIVED: constant(bytes4) = method_id(
    "onERC1155Received(address,address,uint256,uint256,bytes)", output_type=bytes4
)
# @dev What `onERC1155BatchReceived` must return to accept a batch.
_BATCH_RECEIVED: constant(bytes4) = method_id(
    "onERC1155BatchReceived(address,address,uint256[],uint256[],bytes)", output_type=bytes4
)
# @dev Position of the burned total in a token's packed supply slot.
_BURNED_SHIFT: constant(uint256) = 128


# @notice Prefix of every token's metadata URI.
_BASE_URI: immutable(String[80])

# @notice `balanceOf[holder][id]`: the holder's amount of token `id`.
balanceOf: public(HashMap[address, HashMap[uint256, uint256]])
# @notice `isApprovedForAll[holder][operator]`: the operator may transfer
#         all of the holder's tokens.
isApprovedForAll: public(HashMap[address, HashMap[address, bool]])
# @dev Per token id: supply in circulation (bits 0-127) | total burned
#      (bits 128-255).
_supply: HashMap[uint256, uint256]


@deploy
def __init__(base_uri_: String[80]):
    """
    @notice Sets the base of the metadata URIs.
    @param base_uri_ Prefix of every token's URI (`uri(id)` is base_uri_
           followed by the decimal id).
    """
    _BASE_URI = base_uri_


@external
@view
def supportsInterface(interface_id: bytes4) -> bool:
    """
    @notice ERC-165: whether this contract implements `interface_id`.
    @param interface_id The 4-byte interface identifier.
    @return bool True for ERC-165, ERC-1155 and ERC-1155 metadata URI.
    """
    return interface_id in _SUPPORTED_INTERFACES


@external
def safeTransferFrom(owner: address, to: address, id: uint256, amount: uint256, data: Bytes[1_024]):
    """
    @notice Moves `amount` of token `id` from `owner` to `to` (the owner or
            an operator it approved); refused while paused. Emits
            `TransferSingle`; a contract receiver must accept it.
    @param owner The current holder.
    @param to The receiver (not the zero address).
    @param id The token id.
    @param amount The amount.
    @param data Passed to the receiver's `onERC1155Received`.
    """
    credit_pause._check_not_paused()
    if owner != msg.sender:
        assert self.isApprovedForAll[owner][msg.sender], "erc1155: caller is not token owner or approved"
    assert to != empty(address), "erc1155: transfer to the zero address"
    owner_balance: uint256 = self.balanceOf[owner][id]
    assert owner_balance >= amount, "erc1155: insufficient balance for transfer"
    self.balanceOf[owner][id] = unsafe_sub(owner_balance, amount)
    # No overflow: a balance is at most the token's supply, < 2**128.
    self.balanceOf[to][id] = unsafe_add(self.balanceOf[to][id], amount)
    log IERC1155.TransferSingle(_operator=msg.sender, _from=owner, _to=to, _id=id, _value=amount)
    if to.is_contract:
        assert (
            extcall IERC1155Receiver(to).onERC1155Received(msg.sender, owner, id, amount, data) == _RECEIVED
        ), "erc1155: transfer to non-IERC1155Receiver implementer"


@external
def safeBatchTransferFrom(
    owner: address,
    to: address,
    ids: DynArray[uint256, _BATCH_SIZE],
    amounts: DynArray[uint256, _BATCH_SIZE],
    data: Bytes[1_024],
):
    """
    @notice Moves `amounts[i]` of token `ids[i]` from `owner` to `to` for
            every i (the owner or an operator it approved); refused while
            paused. Emits one `TransferBatch`; a contract receiver must
            accept it.
    @param owner The current holder.
    @param to The receiver (not the zero address).
    @param ids The token ids.
    @param amounts The amounts, one per id.
    @param data Passed to the receiver's `onERC1155BatchReceived`.
    """
    credit_pause._check_not_paused()
    if owner != msg.sender:
        assert self.isApprovedForAll[owner][msg.sender], "erc1155: caller is not token owner or approved"
    assert len(ids) == len(amounts), "erc1155: ids and amounts length mismatch"
    assert to != empty(address), "erc1155: transfer to the zero address"
    for i: uint256 in range(len(ids), bound=_BATCH_SIZE):
        id: uint256 = ids[i]
        amount: uint256 = amounts[i]
        owner_balance: uint256 = self.balanceOf[owner][id]
        assert owner_balance >= amount, "erc1155: insufficient balance for transfer"
        self.balanceOf[owner][id] = unsafe_sub(owner_balance, amount)
        self.balanceOf[to][id] = unsafe_add(self.balanceOf[to][id], amount)
    log IERC1155.TransferBatch(_operator=msg.sender, _from=owner, _to=to, _ids=ids, _values=amounts)
    if to.is_contract:
        assert (
            extcall IERC1155Receiver(to).onERC1155BatchReceived(msg.sender, owner, ids, amounts, data)
            == _BATCH_RECEIVED
        ), "erc1155: transfer to non-IERC1155Receiver implementer"


@external
@view
def balanceOfBatch(
    owners: DynArray[address, _BATCH_SIZE], ids: DynArray[uint256, _BATCH_SIZE]
) -> DynArray[uint256, _BATCH_SIZE]:
    """
    @notice The balances of `owners[i]` in token `ids[i]`.
    @param owners The holders.
    @param ids The token ids, one per holder.
    @return DynArray The balances, in order.
    """
    assert len(owners) == len(ids), "erc1155: owners and ids length mismatch"
    balances: DynArray[uint256, _BATCH_SIZE] = []
    for i: uint256 in range(len(owners), bound=_BATCH_SIZE):
        balances.append(self.balanceOf[owners[i]][ids[i]])
    return balances


@external
def setApprovalForAll(operator: address, approved: bool):
    """
    @notice Lets `operator` transfer all of the caller's tokens, or stops
            it. Not paused: it moves nothing. Emits `ApprovalForAll`.
    @param operator The operator (not the caller itself).
    @param approved True to approve, False to revoke.
    """
    assert msg.sender != operator, "erc1155: setting approval status for self"
    self.isApprovedForAll[msg.sender][operator] = approved
    log IERC1155.ApprovalForAll(_owner=msg.sender, _operator=operator, _approved=approved)


@external
@view
def uri(id: uint256) -> String[512]:
    """
    @notice The metadata URI of token `id` (whether minted or not).
    @param id The token id.
    @return String The base URI followed by the decimal id.
    """
    return concat(_BASE_URI, uint2str(id))


@external
@view
def total_supply(id: uint256) -> uint256:
    """
    @notice The amount of token `id` in circulation (minted, not retired).
    @param id The token id.
    @return uint256 The supply.
    """
    return self._supply[id] & constants.MASK_128


@internal
@view
def _burned(id: uint256) -> uint256:
    """
    @notice The amount of token `id` burned so far.
    @param id The token id.
    @return uint256 The burned total.
    """
    return self._supply[id] >> _BURNED_SHIFT


@internal
@view
def _minted(id: uint256) -> uint256:
    """
    @notice The amount of token `id` ever minted: supply plus burned.
    @param id The token id.
    @return uint256 The minted total (0 for a token never minted).
    """
    packed: uint256 = self._supply[id]
    return (packed & constants.MASK_128) + (packed >> _BURNED_SHIFT)


@internal
def _mint(owner: address, id: uint256, amount: uint256):
    """
    @notice Creates `amount` of token `id` for `owner` (no access or pause
            check: the caller's). Emits `TransferSingle` from the zero
            address; a contract owner must accept it.
    @dev The caller bounds `amount` below 2**128; the supply is checked to
         stay below 2**128 so it never carries into the burned total.
    @param owner The receiver (not the zero address).
    @param id The token id.
    @param amount The amount.
    """
    assert owner != empty(address), "erc1155: mint to the zero address"
    packed: uint256 = self._supply[id]
    assert (packed & constants.MASK_128) + amount <= constants.MASK_128, "credit: supply too large"
    self._supply[id] = unsafe_add(packed, amount)
    # No overflow: a balance is at most the supply, checked just above.
    self.balanceOf[owner][id] = unsafe_add(self.balanceOf[owner][id], amount)
    log IERC1155.TransferSingle(_operator=msg.sender, _from=empty(address), _to=owner, _id=id, _value=amount)
    if owner.is_contract:
        assert (
            extcall IERC1155Receiver(owner).onERC1155Received(msg.sender, empty(address), id, amount, b"")
            == _RECEIVED
        ), "erc1155: transfer to non-IERC1155Receiver implementer"


@internal
def _burn(owner: address, id: uint256, amount: uint256):
    """
    @notice Destroys `amount` of `owner`'s token `id` and adds it to the
            token's burned total (no access check: the caller's). Emits
            `TransferSingle` to the zero address.
    @param owner The holder.
    @param id The token id.
    @param amount The amount (at most the holder's balance, < 2**128).
    """
    owner_balance: uint256 = self.balanceOf[owner][id]
    assert owner_balance >= amount, "credit: amount > balance"
    self.balanceOf[owner][id] = unsafe_sub(owner_balance, amount)
    # amount <= balance <= supply: the supply half cannot borrow. The burned
    # half is checked (it could only overflow after 2**64 maximal mints).
    self._supply[id] = unsafe_sub(self._supply[id], amount) + (amount << _BURNED_SHIFT)
    log IERC1155.TransferSingle(_operator=msg.sender, _from=owner, _to=empty(address), _id=id, _value=amount)
