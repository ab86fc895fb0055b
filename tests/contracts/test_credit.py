"""CarbonCredit: minting, ERC-1155 transfers with pause, retirement and registry references."""

import boa
import pytest
from eth_utils import keccak

from tests.contracts.contract_world import events, token_id

ZERO = "0x0000000000000000000000000000000000000000"
TID = token_id(1, 2025)  # 1 << 16 | 2025 = 67,561

ACCEPTING_RECEIVER = """
# pragma version ~=0.4.3
@external
def onERC1155Received(
    op: address, sender: address, id: uint256, amount: uint256, data: Bytes[1024]
) -> bytes4:
    return method_id("onERC1155Received(address,address,uint256,uint256,bytes)", output_type=bytes4)
"""


@pytest.fixture
def minted(world, actors):
    """The Registry's minter role used directly: 10 t of TID to the holder."""
    with boa.env.prank(world.registry.address):
        world.credit.mint(actors.holder, TID, 10)
    return world.credit


def transfer(credit, sender, owner, to, amount, token=TID):
    with boa.env.prank(sender):
        credit.safeTransferFrom(owner, to, token, amount, b"")


# ---- token id, uri, interfaces ----------------------------------------------------------------


def test_token_id__encodes_project_and_year(world):
    assert world.credit.token_id(1, 2025) == 67_561
    assert world.credit.token_id(3, 2013) == 3 * 65_536 + 2013
    assert world.credit.token_id(2**240 - 1, 65535) == 2**256 - 1


def test_token_id__project_id_too_large__reverts(world):
    with boa.reverts("credit: project id too large"):
        world.credit.token_id(2**240, 2025)


def test_uri__base_plus_decimal_id(world):
    assert world.credit.uri(TID) == "https://credits.example/67561"


def test_supports_interface__erc165_erc1155_metadata(world):
    for interface_id in (b"\x01\xff\xc9\xa7", b"\xd9\xb6\x7a\x26", b"\x0e\x89\x34\x1c"):
        assert world.credit.supportsInterface(interface_id)
    assert not world.credit.supportsInterface(b"\xff\xff\xff\xff")


# ---- mint -------------------------------------------------------------------------------------


def test_mint__by_minter__credits_holder_and_logs(world, actors):
    with boa.env.prank(world.registry.address):
        world.credit.mint(actors.holder, TID, 7)
    logged = events(world.credit, "TransferSingle")
    assert [list(e.values()) for e in logged] == [
        [world.credit.address, world.registry.address, ZERO, actors.holder, TID, 7]
    ]
    assert world.credit.balanceOf(actors.holder, TID) == 7
    assert world.credit.total_supply(TID) == 7
    assert world.credit.minted(TID) == 7


def test_mint__by_stranger__reverts(world, actors):
    with boa.env.prank(actors.stranger), boa.reverts("roles: caller is not a minter"):
        world.credit.mint(actors.stranger, TID, 1)


def test_mint__by_admin_without_role__reverts(world, actors):
    with boa.env.prank(actors.admin), boa.reverts("roles: caller is not a minter"):
        world.credit.mint(actors.admin, TID, 1)


def test_mint__zero_amount__reverts(world, actors):
    with boa.env.prank(world.registry.address), boa.reverts("credit: zero amount"):
        world.credit.mint(actors.holder, TID, 0)


def test_mint__paused__reverts(world, actors):
    with boa.env.prank(actors.pauser):
        world.credit.pause()
    with boa.env.prank(world.registry.address), boa.reverts("pausable: contract is paused"):
        world.credit.mint(actors.holder, TID, 1)


def test_mint__to_zero_address__reverts(world):
    with boa.env.prank(world.registry.address), boa.reverts("erc1155: mint to the zero address"):
        world.credit.mint(ZERO, TID, 1)


def test_submit_report__credit_paused_and_report_mints__reverts(world, actors):
    """A paused CarbonCredit also stops a Registry finalization that mints (the call reverts)."""
    with boa.env.prank(actors.pauser):
        world.credit.pause()
    project_id, meters = world.monitored_project()
    # 3,000,000 Wh x 434,000 / 1e6 = 1,302,000 g: 1 t to mint.
    with boa.reverts("pausable: contract is paused"):
        world.submit(project_id, meters, 1746025200, {1: 3_000_000, 2: 0}, 3_000_000, 1_302_000)


# ---- transfers --------------------------------------------------------------------------------


def test_safe_transfer_from__holder__moves_and_logs(minted, actors):
    transfer(minted, actors.holder, actors.holder, actors.buyer, 4)
    logged = events(minted, "TransferSingle")
    assert [list(e.values()) for e in logged] == [
        [minted.address, actors.holder, actors.holder, actors.buyer, TID, 4]
    ]
    assert minted.balanceOf(actors.holder, TID) == 6
    assert minted.balanceOf(actors.buyer, TID) == 4
    assert minted.total_supply(TID) == 10


def test_safe_transfer_from__approved_operator__moves(minted, actors):
    with boa.env.prank(actors.holder):
        minted.setApprovalForAll(actors.stranger, True)
    logged = events(minted, "ApprovalForAll")
    assert [list(e.values()) for e in logged] == [
        [minted.address, actors.holder, actors.stranger, True]
    ]
    assert minted.isApprovedForAll(actors.holder, actors.stranger)
    transfer(minted, actors.stranger, actors.holder, actors.buyer, 10)
    assert minted.balanceOf(actors.buyer, TID) == 10


def test_safe_transfer_from__not_approved__reverts(minted, actors):
    with boa.reverts("erc1155: caller is not token owner or approved"):
        transfer(minted, actors.stranger, actors.holder, actors.stranger, 1)


def test_safe_transfer_from__more_than_balance__reverts(minted, actors):
    with boa.reverts("erc1155: insufficient balance for transfer"):
        transfer(minted, actors.holder, actors.holder, actors.buyer, 11)


def test_safe_transfer_from__to_zero__reverts(minted, actors):
    with boa.reverts("erc1155: transfer to the zero address"):
        transfer(minted, actors.holder, actors.holder, ZERO, 1)


def test_safe_transfer_from__paused__reverts(minted, actors):
    with boa.env.prank(actors.pauser):
        minted.pause()
    with boa.reverts("pausable: contract is paused"):
        transfer(minted, actors.holder, actors.holder, actors.buyer, 1)


def test_safe_transfer_from__to_non_receiver_contract__reverts(minted, actors, world):
    with boa.reverts():
        transfer(minted, actors.holder, actors.holder, world.registry.address, 1)
    assert minted.balanceOf(actors.holder, TID) == 10


def test_safe_transfer_from__to_receiver_contract__moves(minted, actors):
    receiver = boa.loads(ACCEPTING_RECEIVER)
    transfer(minted, actors.holder, actors.holder, receiver.address, 2)
    assert minted.balanceOf(receiver.address, TID) == 2


def test_safe_batch_transfer_from__holder__moves_each_id(minted, actors, world):
    other = token_id(2, 2025)
    with boa.env.prank(world.registry.address):
        minted.mint(actors.holder, other, 3)
    with boa.env.prank(actors.holder):
        minted.safeBatchTransferFrom(actors.holder, actors.buyer, [TID, other], [1, 3], b"")
    logged = events(minted, "TransferBatch")
    assert [list(e.values()) for e in logged] == [
        [minted.address, actors.holder, actors.holder, actors.buyer, [TID, other], [1, 3]]
    ]
    assert minted.balanceOfBatch([actors.buyer, actors.buyer], [TID, other]) == [1, 3]


def test_safe_batch_transfer_from__paused__reverts(minted, actors):
    with boa.env.prank(actors.pauser):
        minted.pause()
    with boa.env.prank(actors.holder), boa.reverts("pausable: contract is paused"):
        minted.safeBatchTransferFrom(actors.holder, actors.buyer, [TID], [1], b"")


def test_safe_batch_transfer_from__not_approved__reverts(minted, actors):
    with (
        boa.env.prank(actors.stranger),
        boa.reverts("erc1155: caller is not token owner or approved"),
    ):
        minted.safeBatchTransferFrom(actors.holder, actors.buyer, [TID], [1], b"")


# ---- retire -----------------------------------------------------------------------------------


def retire(credit, actor, amount, beneficiary="Example K.K.", purpose=0, memo="FY2025 report"):
    with boa.env.prank(actor):
        return credit.retire(TID, amount, beneficiary, purpose, memo)


def test_retire__holder__burns_records_and_logs(minted, actors):
    retirement_id = retire(minted, actors.holder, 3, purpose=3, memo="RE100 2025")
    retired = events(minted, "Retired")
    burned = events(minted, "TransferSingle")
    assert retirement_id == 1
    assert retired == [
        {
            "address": minted.address,
            "retirement_id": 1,
            "holder": actors.holder,
            "token_id": TID,
            "amount": 3,
            "purpose": 3,
            "beneficiary": "Example K.K.",
            "memo": "RE100 2025",
            "beneficiary_hash": keccak(b"Example K.K."),
            "memo_hash": keccak(b"RE100 2025"),
            "retired_at": boa.env.timestamp,
        }
    ]
    assert [list(e.values()) for e in burned] == [
        [minted.address, actors.holder, actors.holder, ZERO, TID, 3]
    ]
    assert minted.retirements(1) == (
        actors.holder,
        TID,
        3,
        boa.env.timestamp,
        3,
        keccak(b"Example K.K."),
        keccak(b"RE100 2025"),
    )
    assert minted.balanceOf(actors.holder, TID) == 7
    assert minted.total_supply(TID) == 7
    assert minted.retirement_count() == 1
    assert minted.retired_by_holder(actors.holder) == 3
    assert minted.retired_by_token(TID) == 3
    assert minted.minted(TID) == 10


def test_retire__twice__sequential_ids_and_totals(minted, actors):
    transfer(minted, actors.holder, actors.holder, actors.buyer, 4)
    assert retire(minted, actors.holder, 1) == 1
    assert retire(minted, actors.buyer, 4, purpose=5) == 2
    assert minted.retired_by_holder(actors.holder) == 1
    assert minted.retired_by_holder(actors.buyer) == 4
    assert minted.retired_by_token(TID) == 5
    assert minted.total_supply(TID) == 5


def test_retire__while_paused__stays_open(minted, actors):
    with boa.env.prank(actors.pauser):
        minted.pause()
    assert retire(minted, actors.holder, 10) == 1
    assert minted.total_supply(TID) == 0


def test_retire__more_than_balance__reverts(minted, actors):
    with boa.reverts("credit: amount > balance"):
        retire(minted, actors.holder, 11)


def test_retire__by_non_holder__reverts(minted, actors):
    with boa.reverts("credit: amount > balance"):
        retire(minted, actors.stranger, 1)


def test_retire__zero_amount__reverts(minted, actors):
    with boa.reverts("credit: zero amount"):
        retire(minted, actors.holder, 0)


def test_retire__unknown_purpose__reverts(minted, actors):
    with boa.reverts("credit: unknown purpose"):
        retire(minted, actors.holder, 1, purpose=6)


def test_retire__empty_beneficiary__reverts(minted, actors):
    with boa.reverts("credit: empty beneficiary"):
        retire(minted, actors.holder, 1, beneficiary="")


# keccak256 of the empty string, the well-known constant (not computed by the contract).
EMPTY_KECCAK = bytes.fromhex("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")


def test_retire__empty_memo__record_and_event_carry_empty_string_hash(minted, actors):
    retire(minted, actors.holder, 2, memo="")
    (retired,) = events(minted, "Retired")
    assert retired["memo"] == ""
    assert retired["memo_hash"] == EMPTY_KECCAK
    assert minted.retirements(1)[6] == EMPTY_KECCAK


def test_retire__widest_token_id_and_amount__record_unpacks_exactly(world, actors):
    widest = 2**128 - 1  # both packed fields all ones: a mask or shift error would show
    with boa.env.prank(world.registry.address):
        world.credit.mint(actors.holder, widest, widest)
    with boa.env.prank(actors.holder):
        world.credit.retire(widest, widest, "B", 5, "m")
    assert world.credit.retirements(1) == (
        actors.holder,
        widest,
        widest,
        boa.env.timestamp,
        5,
        keccak(b"B"),
        keccak(b"m"),
    )
    assert world.credit.retired_by_token(widest) == widest
    assert world.credit.total_supply(widest) == 0


def test_retire__token_id_wider_than_128_bits__reverts(minted, actors):
    with boa.env.prank(actors.holder), boa.reverts("credit: token id too large"):
        minted.retire(2**128, 1, "B", 0, "")


def test_retire__amount_wider_than_128_bits__reverts(minted, actors):
    with boa.reverts("credit: amount too large"):
        retire(minted, actors.holder, 2**128)


def test_mint__token_id_wider_than_128_bits__reverts(world, actors):
    with boa.env.prank(world.registry.address), boa.reverts("credit: token id too large"):
        world.credit.mint(actors.holder, 2**128, 1)


def test_mint__minted_total_reaching_2_128__reverts(world, actors):
    with boa.env.prank(world.registry.address):
        world.credit.mint(actors.holder, TID, 2**128 - 2)
        world.credit.mint(actors.holder, TID, 1)  # total 2**128 - 1: the widest allowed
        with boa.reverts("credit: minted total too large"):
            world.credit.mint(actors.holder, TID, 1)
    assert world.credit.minted(TID) == 2**128 - 1


def test_retired_by_token__derived_from_minted_and_supply(minted, actors):
    """10 minted, 3 retired, 2 more transferred (not retired): 3 retired, 7 in supply."""
    retire(minted, actors.holder, 3)
    transfer(minted, actors.holder, actors.holder, actors.buyer, 2)
    assert minted.retired_by_token(TID) == 3
    assert minted.retired_by_token(TID + 1) == 0


def test_purpose_constants__documented_codes(world):
    credit = world.credit
    assert (
        credit.PURPOSE_GHG_LAW_REPORTING(),
        credit.PURPOSE_CARBON_OFFSET(),
        credit.PURPOSE_CDP(),
        credit.PURPOSE_RE100(),
        credit.PURPOSE_SBT(),
        credit.PURPOSE_OTHER(),
    ) == (0, 1, 2, 3, 4, 5)


def test_retirements__unknown_id__all_zero(world):
    assert world.credit.retirements(5) == (ZERO, 0, 0, 0, 0, b"\x00" * 32, b"\x00" * 32)


# ---- registry reference -----------------------------------------------------------------------


def test_set_registry_reference__admin__sets_once_and_logs(minted, actors):
    with boa.env.prank(actors.admin):
        minted.set_registry_reference(TID, "JCR-2025-0001")
    assert events(minted, "RegistryReferenceSet") == [
        {"address": minted.address, "token_id": TID, "reference": "JCR-2025-0001"}
    ]
    assert minted.registry_reference(TID) == "JCR-2025-0001"


def test_set_registry_reference__twice__reverts(minted, actors):
    with boa.env.prank(actors.admin):
        minted.set_registry_reference(TID, "JCR-2025-0001")
        with boa.reverts("credit: reference already set"):
            minted.set_registry_reference(TID, "JCR-2025-0002")


def test_set_registry_reference__by_stranger__reverts(minted, actors):
    with boa.env.prank(actors.stranger), boa.reverts("ownable: caller is not the owner"):
        minted.set_registry_reference(TID, "JCR")


def test_set_registry_reference__unminted_token__reverts(world, actors):
    with boa.env.prank(actors.admin), boa.reverts("credit: unknown token"):
        world.credit.set_registry_reference(TID, "JCR")


def test_set_registry_reference__empty__reverts(minted, actors):
    with boa.env.prank(actors.admin), boa.reverts("credit: empty reference"):
        minted.set_registry_reference(TID, "")
