# pragma version ~=0.4.3
"""
@title Retirement (無効化) of credits
@custom:contract-name retirement
@license MIT
@notice A holder retires credits to use them (claim the reduction): the
        credits are burned, the retirement gets a sequential id, an event
        carries the full texts and a record anyone can read keeps the holder,
        token id, amount, time, purpose and the keccak256 hashes of the
        beneficiary and memo texts. The retired total per holder is kept
        here; the total per token id is kept by `credit_token` in the
        token's supply slot, which the burn writes anyway. Only the holder
        itself retires (not an operator), since the retiring holder is who
        claims the reduction. A beneficiary must name someone: empty or
        whitespace-only texts (ASCII space, tab, CR, LF and the ideographic
        space U+3000) are refused.

        Certified and not yet certified credits (see `certification`): a
        holder retires certified credits with `retire_certified`, naming
        the round they come from, which draws that round's remaining amount
        and its registry serials in order; `retire` takes only the token's
        uncertified supply. Each record and `Retired` event carry the round
        (0 = not certified) and the first serial drawn.
"""

from . import constants
from . import credit_token
from . import certification

uses: credit_token
uses: certification


# @notice Purpose code: reporting under the Act on Promotion of Global
#         Warming Countermeasures (温対法).
PURPOSE_GHG_LAW_REPORTING: public(constant(uint8)) = 0
# @notice Purpose code: carbon offset.
PURPOSE_CARBON_OFFSET: public(constant(uint8)) = 1
# @notice Purpose code: CDP disclosure.
PURPOSE_CDP: public(constant(uint8)) = 2
# @notice Purpose code: RE100.
PURPOSE_RE100: public(constant(uint8)) = 3
# @notice Purpose code: SBT.
PURPOSE_SBT: public(constant(uint8)) = 4
# @notice Purpose code: any other use (say which in the memo).
PURPOSE_OTHER: public(constant(uint8)) = 5


struct Retirement:
    holder: address
    token_id: uint256
    amount: uint256
    retired_at: uint64
    purpose: uint8
    beneficiary_hash: bytes32
    memo_hash: bytes32
    certification_id: uint256


# Storage form of a Retirement, 4 slots (3 for an empty memo) instead of 7:
# every fresh slot costs a retirement 22,100 gas.
struct StoredRetirement:
    # holder (bits 0-159) | retired_at (160-223) | purpose (224-231) |
    # certification id (232-255; 0 = not certified)
    head: uint256
    # token_id (bits 0-127) | amount (128-255); retire refuses wider values
    token_amount: uint256
    beneficiary_hash: bytes32
    # 0 for an empty memo (read back as keccak256("")): saves the slot
    memo_hash: bytes32


# Token id and amount are packed into 128 bits each (`constants.MASK_128`).
# Registry token ids are (project_id < 2**64) << 16 | year, far below
# 2**128; CarbonCredit mints no wider id, and no balance reaches 2**128
# (each mint is below 2**64 and a token's supply stays below 2**128).
_EMPTY_MEMO_HASH: constant(bytes32) = keccak256("")
# @dev UTF-8 bytes of the whitespace a beneficiary may not consist of:
#      tab, LF, CR, space, and the first byte and the tail of U+3000.
_TAB: constant(uint256) = 9
_LF: constant(uint256) = 10
_CR: constant(uint256) = 13
_SPACE: constant(uint256) = 32
_IDEOGRAPHIC_SPACE_HEAD: constant(uint256) = 227  # 0xE3
_IDEOGRAPHIC_SPACE_TAIL: constant(uint256) = 32896  # 0x8080
_BENEFICIARY_BOUND: constant(uint256) = 128

# @notice Number of retirements so far; ids run from 1 to `retirement_count`.
retirement_count: public(uint256)
# @notice Total t-CO2 retired by each holder, over all token ids.
retired_by_holder: public(HashMap[address, uint256])
# @dev Retirement record per id, in its packed storage form.
_records: HashMap[uint256, StoredRetirement]


# @notice `holder` retired `amount` of `token_id` for `beneficiary` and
#         `purpose`; the record `retirement_id` keeps the text hashes.
#         `certification_id` is the round the credits came from (0 = not
#         certified) and `first_serial` the first of their registry serials
#         in that round (0 when not certified): the credits retired are
#         serials first_serial .. first_serial + amount - 1.
event Retired:
    retirement_id: indexed(uint256)
    holder: indexed(address)
    token_id: indexed(uint256)
    amount: uint256
    purpose: uint8
    beneficiary: String[128]
    memo: String[256]
    beneficiary_hash: bytes32
    memo_hash: bytes32
    retired_at: uint64
    certification_id: uint256
    first_serial: uint256


@deploy
def __init__():
    """
    @notice Nothing to set: no retirements yet.
    """
    pass


@external
def retire(token_id: uint256, amount: uint256, beneficiary: String[128], purpose: uint8, memo: String[256]) -> uint256:
    """
    @notice Retires (burns) `amount` of the caller's `token_id` credits
            that are not yet certified: refused when the token's
            uncertified supply is smaller (certified credits are retired
            with `retire_certified`). Stays open while the token is paused:
            retiring only removes credits from circulation, cannot move
            value to anyone, and a holder's legal reporting deadline should
            not wait on an emergency elsewhere.
    @param token_id The credit token id (project, fiscal year).
    @param amount Whole t-CO2 to retire (> 0, <= balance).
    @param beneficiary Who the reduction is claimed for (not empty, not
           only whitespace).
    @param purpose Purpose code 0..5 (see the PURPOSE_* constants).
    @param memo Free text, e.g. the report or offset product it backs.
    @return The retirement id (ids start at 1).
    """
    retirement_id: uint256 = self._retire(token_id, amount, beneficiary, purpose, memo, 0, 0)
    certification._check_uncertified(token_id)
    return retirement_id


@external
def retire_certified(
    certification_id: uint256, amount: uint256, beneficiary: String[128], purpose: uint8, memo: String[256]
) -> uint256:
    """
    @notice Retires (burns) `amount` of the caller's credits of the token
            that round `certification_id` certified, drawing on that
            round: refused beyond its remaining certified amount. The
            record and event name the round and the first serial. Open
            while paused, as `retire`.
    @param certification_id The certification round the credits come from.
    @param amount Whole t-CO2 to retire (> 0, <= balance and remaining).
    @param beneficiary Who the reduction is claimed for (not empty, not
           only whitespace).
    @param purpose Purpose code 0..5 (see the PURPOSE_* constants).
    @param memo Free text.
    @return The retirement id (ids start at 1).
    """
    assert amount != 0, "credit: zero amount"
    token_id: uint256 = 0
    first_serial: uint256 = 0
    token_id, first_serial = certification._draw(certification_id, amount)
    return self._retire(token_id, amount, beneficiary, purpose, memo, certification_id, first_serial)


@internal
def _retire(
    token_id: uint256,
    amount: uint256,
    beneficiary: String[128],
    purpose: uint8,
    memo: String[256],
    certification_id: uint256,
    first_serial: uint256,
) -> uint256:
    """
    @notice Burns the caller's credits and records the retirement.
    @param token_id The credit token id.
    @param amount Whole t-CO2 (> 0, <= balance).
    @param beneficiary Who the reduction is claimed for.
    @param purpose Purpose code 0..5.
    @param memo Free text.
    @param certification_id The round drawn on (0 = not certified).
    @param first_serial The first serial drawn (0 = not certified).
    @return The retirement id.
    """
    assert amount != 0, "credit: zero amount"
    assert purpose <= PURPOSE_OTHER, "credit: unknown purpose"
    assert len(beneficiary) != 0, "credit: empty beneficiary"
    assert not self._is_blank(beneficiary), "credit: blank beneficiary"
    assert token_id <= constants.MASK_128, "credit: token id too large"
    assert amount <= constants.MASK_128, "credit: amount too large"
    credit_token._burn(msg.sender, token_id, amount)
    retirement_id: uint256 = self.retirement_count + 1
    self.retirement_count = retirement_id
    beneficiary_hash: bytes32 = keccak256(beneficiary)
    memo_hash: bytes32 = keccak256(memo)
    record: StoredRetirement = StoredRetirement(
        head=convert(msg.sender, uint256)
        | (block.timestamp << 160)
        | (convert(purpose, uint256) << 224)
        | (certification_id << 232),
        token_amount=token_id | (amount << 128),
        beneficiary_hash=beneficiary_hash,
        memo_hash=empty(bytes32),
    )
    if len(memo) != 0:
        record.memo_hash = memo_hash
    self._records[retirement_id] = record
    self.retired_by_holder[msg.sender] += amount
    log Retired(
        retirement_id=retirement_id,
        holder=msg.sender,
        token_id=token_id,
        amount=amount,
        purpose=purpose,
        beneficiary=beneficiary,
        memo=memo,
        beneficiary_hash=beneficiary_hash,
        memo_hash=memo_hash,
        retired_at=convert(block.timestamp, uint64),
        certification_id=certification_id,
        first_serial=first_serial,
    )
    return retirement_id


@external
@view
def retirements(retirement_id: uint256) -> Retirement:
    """
    @notice The record of a retirement (all zero for an unknown id).
    @param retirement_id The retirement id.
    @return (holder, token_id, amount, retired_at, purpose, beneficiary_hash,
            memo_hash, certification_id); memo_hash is keccak256("") for an
            empty memo; certification_id 0 for credits not certified.
    """
    stored: StoredRetirement = self._records[retirement_id]
    if stored.head == 0:
        return empty(Retirement)
    memo_hash: bytes32 = stored.memo_hash
    if memo_hash == empty(bytes32):
        memo_hash = _EMPTY_MEMO_HASH
    return Retirement(
        holder=convert(convert(stored.head & convert(max_value(uint160), uint256), uint160), address),
        token_id=stored.token_amount & constants.MASK_128,
        amount=stored.token_amount >> 128,
        retired_at=convert((stored.head >> 160) & convert(max_value(uint64), uint256), uint64),
        purpose=convert((stored.head >> 224) & 255, uint8),
        beneficiary_hash=stored.beneficiary_hash,
        memo_hash=memo_hash,
        certification_id=stored.head >> 232,
    )


@internal
@pure
def _is_blank(text: String[_BENEFICIARY_BOUND]) -> bool:
    """
    @notice Whether `text` is only whitespace: ASCII space, tab, CR, LF and
            the ideographic space U+3000 (UTF-8 E3 80 80); True for "".
    @dev Stops at the first other byte, so a name costs one iteration.
    @param text The text (UTF-8).
    @return bool True when nothing but whitespace.
    """
    raw: Bytes[_BENEFICIARY_BOUND] = convert(text, Bytes[_BENEFICIARY_BOUND])
    n: uint256 = len(raw)
    i: uint256 = 0
    for _: uint256 in range(_BENEFICIARY_BOUND):
        if i >= n:
            return True
        c: uint256 = convert(slice(raw, i, 1), uint256)
        if c == _SPACE or c == _TAB or c == _LF or c == _CR:
            i += 1
        elif (
            c == _IDEOGRAPHIC_SPACE_HEAD
            and i + 3 <= n
            and convert(slice(raw, i + 1, 2), uint256) == _IDEOGRAPHIC_SPACE_TAIL
        ):
            i += 3
        else:
            return False
    return True
