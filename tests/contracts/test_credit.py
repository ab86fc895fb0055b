"""CarbonCredit: the lean ERC-1155, minting by the bound minter, pause, retirement, references.

Every external of CarbonCredit that is not about roles or ownership (test_admin_roles_pause.py)
is tested here, positive and negative, with its decoded events; then the ERC-1155 conformance
points (receivers, operators, zero addresses, batch lengths, ERC-165 ids) and an attacker's view.
The bound minter is the MonitoringReports contract of the world: tests mint by pranking as it.
"""

import boa
import pytest
from eth_utils import keccak
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.contracts.contract_world import EXPORT, GENERATION, MAY_2025, events, token_id

ZERO = "0x0000000000000000000000000000000000000000"
TID = token_id(1, 2025)  # 1 << 16 | 2025 = 67,561
OTHER = token_id(2, 2025)
EMPTY_KECCAK = bytes.fromhex("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
RECEIVED = keccak(b"onERC1155Received(address,address,uint256,uint256,bytes)")[:4]
BATCH_RECEIVED = keccak(b"onERC1155BatchReceived(address,address,uint256[],uint256[],bytes)")[:4]
PAUSED = "pausable: contract is paused"
NOT_APPROVED = "erc1155: caller is not token owner or approved"
INSUFFICIENT = "erc1155: insufficient balance for transfer"
NOT_RECEIVER = "erc1155: transfer to non-IERC1155Receiver implementer"

# Records every hook call; `seen` is the receiver's balance of the id during the hook, which
# shows that the token updated the balances before calling it.
RECEIVER = """
# pragma version ~=0.4.3
interface IToken:
    def balanceOf(owner: address, id: uint256) -> uint256: view

operator: public(address)
sender: public(address)
ids: DynArray[uint256, 8]
amounts: DynArray[uint256, 8]
data: public(Bytes[1024])
calls: public(uint256)
seen: public(uint256)

@external
@view
def received() -> (DynArray[uint256, 8], DynArray[uint256, 8]):
    return self.ids, self.amounts

@external
def onERC1155Received(
    operator: address, sender: address, id: uint256, amount: uint256, data: Bytes[1024]
) -> bytes4:
    self.operator = operator
    self.sender = sender
    self.ids = [id]
    self.amounts = [amount]
    self.data = data
    self.calls += 1
    self.seen = staticcall IToken(msg.sender).balanceOf(self, id)
    return method_id("onERC1155Received(address,address,uint256,uint256,bytes)", output_type=bytes4)

@external
def onERC1155BatchReceived(
    operator: address,
    sender: address,
    ids: DynArray[uint256, 8],
    amounts: DynArray[uint256, 8],
    data: Bytes[1024],
) -> bytes4:
    self.operator = operator
    self.sender = sender
    self.ids = ids
    self.amounts = amounts
    self.data = data
    self.calls += 1
    self.seen = staticcall IToken(msg.sender).balanceOf(self, ids[0])
    return method_id(
        "onERC1155BatchReceived(address,address,uint256[],uint256[],bytes)", output_type=bytes4
    )
"""

# Answers both hooks, with the wrong value.
WRONG_ANSWER_RECEIVER = """
# pragma version ~=0.4.3
@external
def onERC1155Received(a: address, b: address, c: uint256, d: uint256, e: Bytes[1024]) -> bytes4:
    return 0x12345678

@external
def onERC1155BatchReceived(
    a: address, b: address, c: DynArray[uint256, 8], d: DynArray[uint256, 8], e: Bytes[1024]
) -> bytes4:
    return 0x12345678
"""

# Refuses with a reason of its own (the token passes it on).
REFUSING_RECEIVER = """
# pragma version ~=0.4.3
@external
def onERC1155Received(a: address, b: address, c: uint256, d: uint256, e: Bytes[1024]) -> bytes4:
    raise "receiver: refused"

@external
def onERC1155BatchReceived(
    a: address, b: address, c: DynArray[uint256, 8], d: DynArray[uint256, 8], e: Bytes[1024]
) -> bytes4:
    raise "receiver: refused"
"""

# Accepts single transfers only.
SINGLE_ONLY_RECEIVER = """
# pragma version ~=0.4.3
@external
def onERC1155Received(a: address, b: address, c: uint256, d: uint256, e: Bytes[1024]) -> bytes4:
    return method_id("onERC1155Received(address,address,uint256,uint256,bytes)", output_type=bytes4)
"""

# A contract with code but no hook at all.
NO_HOOK_CONTRACT = """
# pragma version ~=0.4.3
@external
def ping() -> uint256:
    return 1
"""


@pytest.fixture
def minter(world):
    """The bound minter: the world's MonitoringReports contract."""
    return world.reports.address


@pytest.fixture
def credit(world):
    return world.credit


@pytest.fixture
def minted(credit, minter, actors):
    """10 t of TID minted to the holder."""
    with boa.env.prank(minter):
        credit.mint(actors.holder, TID, 10)
    return credit


def transfer(credit, sender, owner, to, amount, token=TID, data=b""):
    with boa.env.prank(sender):
        credit.safeTransferFrom(owner, to, token, amount, data)


def batch(credit, sender, owner, to, ids, amounts, data=b""):
    with boa.env.prank(sender):
        credit.safeBatchTransferFrom(owner, to, ids, amounts, data)


def retire(credit, actor, amount, beneficiary="Example K.K.", purpose=0, memo="FY2025 report"):
    with boa.env.prank(actor):
        return credit.retire(TID, amount, beneficiary, purpose, memo)


def pause(credit, pauser):
    boa.env.set_balance(pauser, 10**18)
    with boa.env.prank(pauser):
        credit.pause(value=1)


def single(credit, operator, sender, to, amount, token=TID):
    """A TransferSingle event as the list of its values."""
    return [credit.address, operator, sender, to, token, amount]


def logged(credit, name):
    return [list(e.values()) for e in events(credit, name)]


# ---- token id, uri, interfaces, ABI -----------------------------------------------------------


def test_token_id__encodes_project_and_year(credit):
    assert credit.token_id(1, 2025) == 67_561
    assert credit.token_id(3, 2013) == 3 * 65_536 + 2013
    assert credit.token_id(2**240 - 1, 65535) == 2**256 - 1


def test_token_id__project_id_too_large__reverts(credit):
    with boa.reverts("credit: project id too large"):
        credit.token_id(2**240, 2025)


def test_uri__base_plus_decimal_id(credit):
    assert credit.uri(TID) == "https://credits.example/67561"
    assert credit.uri(0) == "https://credits.example/0"
    assert credit.uri(2**256 - 1) == f"https://credits.example/{2**256 - 1}"


@pytest.mark.parametrize(
    "interface_id, name",
    [("01ffc9a7", "ERC-165"), ("d9b67a26", "ERC-1155"), ("0e89341c", "ERC-1155 metadata URI")],
)
def test_supports_interface__standard_ids__true(credit, interface_id, name):
    assert credit.supportsInterface(bytes.fromhex(interface_id)), name


@pytest.mark.parametrize("interface_id", ["ffffffff", "00000000", "4e2312e0", "80ac58cd"])
def test_supports_interface__other_ids__false(credit, interface_id):
    """0x4e2312e0 is the receiver interface and 0x80ac58cd ERC-721: neither is implemented."""
    assert not credit.supportsInterface(bytes.fromhex(interface_id))


def test_interface_ids__xor_of_the_standard_selectors(credit):
    """The ids above are the XOR of the standard selectors (computed here, not copied)."""

    def interface_id(*signatures):
        value = 0
        for signature in signatures:
            value ^= int.from_bytes(keccak(signature.encode())[:4], "big")
        return value.to_bytes(4, "big").hex()

    assert (
        interface_id(
            "balanceOf(address,uint256)",
            "balanceOfBatch(address[],uint256[])",
            "setApprovalForAll(address,bool)",
            "isApprovedForAll(address,address)",
            "safeTransferFrom(address,address,uint256,uint256,bytes)",
            "safeBatchTransferFrom(address,address,uint256[],uint256[],bytes)",
        )
        == "d9b67a26"
    )
    assert interface_id("uri(uint256)") == "0e89341c"
    assert interface_id("supportsInterface(bytes4)") == "01ffc9a7"


def test_abi__standard_erc1155_functions_and_events(credit):
    def signature(entry):
        return f"{entry['name']}({','.join(i['type'] for i in entry['inputs'])})"

    functions = {signature(e) for e in credit.abi if e["type"] == "function"}
    events_ = {
        signature(e): [i["indexed"] for i in e["inputs"]]
        for e in credit.abi
        if e["type"] == "event"
    }
    assert {
        "safeTransferFrom(address,address,uint256,uint256,bytes)",
        "safeBatchTransferFrom(address,address,uint256[],uint256[],bytes)",
        "balanceOf(address,uint256)",
        "balanceOfBatch(address[],uint256[])",
        "setApprovalForAll(address,bool)",
        "isApprovedForAll(address,address)",
        "supportsInterface(bytes4)",
        "uri(uint256)",
    } <= functions
    assert events_["TransferSingle(address,address,address,uint256,uint256)"] == [
        True, True, True, False, False,
    ]  # fmt: skip
    assert events_["TransferBatch(address,address,address,uint256[],uint256[])"] == [
        True, True, True, False, False,
    ]  # fmt: skip
    assert events_["ApprovalForAll(address,address,bool)"] == [True, True, False]
    assert events_["URI(string,uint256)"] == [False, True]
    # Gone with snekmate's erc1155: its minter list and the old role.
    assert not functions & {"MINTER_ROLE()", "is_minter(address)", "set_minter(address,bool)"}


# ---- bind_registry, registry ------------------------------------------------------------------


@pytest.fixture
def unbound(factories, actors):
    """A CarbonCredit just deployed by the admin, no minter bound yet."""
    with boa.env.prank(actors.admin):
        return factories.credit.deploy("https://credits.example/")


def test_registry__world__is_the_reports_contract(credit, world):
    assert credit.registry() == world.reports.address


def test_bind_registry__admin__binds_once_and_logs(unbound, actors, world):
    assert unbound.registry() == ZERO
    with boa.env.prank(actors.admin):
        unbound.bind_registry(world.reports.address)
    assert events(unbound, "RegistryBound") == [
        {"address": unbound.address, "registry": world.reports.address}
    ]
    assert unbound.registry() == world.reports.address


def test_bind_registry__again__reverts(credit, actors, world):
    """The minter can never be re-bound, not even by the admin."""
    with boa.env.prank(actors.admin), boa.reverts("credit: registry already bound"):
        credit.bind_registry(world.proofs.address)
    assert credit.registry() == world.reports.address


def test_bind_registry__by_stranger__reverts(unbound, actors, world):
    with boa.env.prank(actors.stranger), boa.reverts("ownable: caller is not the owner"):
        unbound.bind_registry(world.reports.address)


def test_bind_registry__account_without_code__reverts(unbound, actors):
    with boa.env.prank(actors.admin), boa.reverts("credit: registry is not a contract"):
        unbound.bind_registry(actors.stranger)


def test_mint__before_any_binding__reverts(unbound, actors):
    with boa.env.prank(actors.admin), boa.reverts("credit: caller is not the registry"):
        unbound.mint(actors.holder, TID, 1)


# ---- mint -------------------------------------------------------------------------------------


def test_mint__by_minter__credits_holder_and_logs(credit, minter, actors):
    with boa.env.prank(minter):
        credit.mint(actors.holder, TID, 7)
    assert logged(credit, "TransferSingle") == [single(credit, minter, ZERO, actors.holder, 7)]
    assert credit.balanceOf(actors.holder, TID) == 7
    assert credit.total_supply(TID) == 7
    assert credit.minted(TID) == 7


def test_mint__twice__adds_up(minted, minter, actors):
    with boa.env.prank(minter):
        minted.mint(actors.holder, TID, 5)
    assert minted.balanceOf(actors.holder, TID) == 15
    assert minted.total_supply(TID) == 15
    assert minted.minted(TID) == 15


@pytest.mark.parametrize("caller", ["stranger", "admin", "holder", "pauser"])
def test_mint__by_other_than_the_minter__reverts(credit, actors, caller):
    with boa.env.prank(getattr(actors, caller)), boa.reverts("credit: caller is not the registry"):
        credit.mint(actors.stranger, TID, 1)


def test_mint__by_the_registry_contract__reverts(credit, world, actors):
    """Only MonitoringReports mints; the Registry contract is not the minter any more."""
    with boa.env.prank(world.registry.address), boa.reverts("credit: caller is not the registry"):
        credit.mint(actors.holder, TID, 1)


def test_mint__zero_amount__reverts(credit, minter, actors):
    with boa.env.prank(minter), boa.reverts("credit: zero amount"):
        credit.mint(actors.holder, TID, 0)


def test_mint__largest_amount_below_2_64__accepted(credit, minter, actors):
    with boa.env.prank(minter):
        credit.mint(actors.holder, TID, 2**64 - 1)
    assert credit.balanceOf(actors.holder, TID) == 2**64 - 1


def test_mint__amount_2_64__reverts(credit, minter, actors):
    with boa.env.prank(minter), boa.reverts("credit: amount too large"):
        credit.mint(actors.holder, TID, 2**64)


def test_mint__token_id_wider_than_128_bits__reverts(credit, minter, actors):
    with boa.env.prank(minter), boa.reverts("credit: token id too large"):
        credit.mint(actors.holder, 2**128, 1)


def test_mint__to_zero_address__reverts(credit, minter):
    with boa.env.prank(minter), boa.reverts("erc1155: mint to the zero address"):
        credit.mint(ZERO, TID, 1)


def test_mint__paused__reverts(credit, minter, actors):
    pause(credit, actors.pauser)
    with boa.env.prank(minter), boa.reverts(PAUSED):
        credit.mint(actors.holder, TID, 1)


def test_mint__to_accepting_contract__calls_hook_after_crediting(credit, minter):
    receiver = boa.loads(RECEIVER)
    with boa.env.prank(minter):
        credit.mint(receiver.address, TID, 4)
    assert (receiver.calls(), receiver.operator(), receiver.sender()) == (1, minter, ZERO)
    assert (receiver.received(), receiver.data()) == (([TID], [4]), b"")
    assert receiver.seen() == 4
    assert credit.balanceOf(receiver.address, TID) == 4


@pytest.mark.parametrize(
    "source, reason",
    [
        (WRONG_ANSWER_RECEIVER, NOT_RECEIVER),
        (REFUSING_RECEIVER, "receiver: refused"),
        (NO_HOOK_CONTRACT, None),
    ],
)
def test_mint__to_contract_not_accepting__reverts(credit, minter, source, reason):
    receiver = boa.loads(source)
    with boa.env.prank(minter), boa.reverts(reason) if reason else boa.reverts():
        credit.mint(receiver.address, TID, 1)
    assert credit.total_supply(TID) == 0


def test_finalize__credit_paused__reverts_then_mints_once_unpaused(world, actors):
    """The report path: a paused CarbonCredit stops the finalization that mints; after unpause
    the same finalization mints to the project owner."""
    project = world.monitored_project()
    # 3,000,000 Wh self-consumed x 434,000 g/MWh / 1e6 = 1,302,000 g: 1 t minted.
    submission = world.submit(
        project, MAY_2025, {GENERATION: 3_000_000, EXPORT: 0}, 3_000_000, 1_302_000
    )
    pause(world.credit, actors.pauser)
    with boa.reverts(PAUSED):
        world.finalize(submission)
    with boa.env.prank(actors.pauser):
        world.credit.unpause()
    with boa.env.prank(actors.stranger):
        world.reports.finalize(submission.facts)
    minted_token = token_id(project.project_id, 2025)
    assert logged(world.reports, "TransferSingle") == [
        single(world.credit, world.reports.address, ZERO, actors.owner, 1, minted_token)
    ]
    assert world.credit.balanceOf(actors.owner, minted_token) == 1


# ---- safeTransferFrom -------------------------------------------------------------------------


def test_safe_transfer_from__holder__moves_and_logs(minted, actors):
    transfer(minted, actors.holder, actors.holder, actors.buyer, 4)
    assert logged(minted, "TransferSingle") == [
        single(minted, actors.holder, actors.holder, actors.buyer, 4)
    ]
    assert minted.balanceOf(actors.holder, TID) == 6
    assert minted.balanceOf(actors.buyer, TID) == 4
    assert minted.total_supply(TID) == 10


def test_safe_transfer_from__whole_balance__leaves_zero(minted, actors):
    transfer(minted, actors.holder, actors.holder, actors.buyer, 10)
    assert minted.balanceOf(actors.holder, TID) == 0
    assert minted.balanceOf(actors.buyer, TID) == 10


def test_safe_transfer_from__to_self__balance_unchanged_and_logs(minted, actors):
    transfer(minted, actors.holder, actors.holder, actors.holder, 3)
    assert logged(minted, "TransferSingle") == [
        single(minted, actors.holder, actors.holder, actors.holder, 3)
    ]
    assert minted.balanceOf(actors.holder, TID) == 10


def test_safe_transfer_from__zero_amount__logs_and_moves_nothing(minted, actors):
    transfer(minted, actors.holder, actors.holder, actors.buyer, 0)
    assert logged(minted, "TransferSingle") == [
        single(minted, actors.holder, actors.holder, actors.buyer, 0)
    ]
    assert minted.balanceOf(actors.buyer, TID) == 0


def test_safe_transfer_from__approved_operator__moves(minted, actors):
    with boa.env.prank(actors.holder):
        minted.setApprovalForAll(actors.stranger, True)
    transfer(minted, actors.stranger, actors.holder, actors.buyer, 10)
    assert logged(minted, "TransferSingle") == [
        single(minted, actors.stranger, actors.holder, actors.buyer, 10)
    ]
    assert minted.balanceOf(actors.buyer, TID) == 10


def test_safe_transfer_from__not_approved__reverts(minted, actors):
    with boa.reverts(NOT_APPROVED):
        transfer(minted, actors.stranger, actors.holder, actors.stranger, 1)


def test_safe_transfer_from__approval_revoked__reverts(minted, actors):
    with boa.env.prank(actors.holder):
        minted.setApprovalForAll(actors.stranger, True)
        minted.setApprovalForAll(actors.stranger, False)
    with boa.reverts(NOT_APPROVED):
        transfer(minted, actors.stranger, actors.holder, actors.stranger, 1)


def test_safe_transfer_from__operator_of_another_holder__reverts(minted, actors):
    """An approval is per holder: the buyer's operator cannot move the holder's credits."""
    with boa.env.prank(actors.buyer):
        minted.setApprovalForAll(actors.stranger, True)
    with boa.reverts(NOT_APPROVED):
        transfer(minted, actors.stranger, actors.holder, actors.stranger, 1)


def test_safe_transfer_from__more_than_balance__reverts(minted, actors):
    with boa.reverts(INSUFFICIENT):
        transfer(minted, actors.holder, actors.holder, actors.buyer, 11)
    assert minted.balanceOf(actors.holder, TID) == 10


def test_safe_transfer_from__token_not_held__reverts(minted, actors):
    with boa.reverts(INSUFFICIENT):
        transfer(minted, actors.holder, actors.holder, actors.buyer, 1, token=OTHER)


def test_safe_transfer_from__to_zero__reverts(minted, actors):
    with boa.reverts("erc1155: transfer to the zero address"):
        transfer(minted, actors.holder, actors.holder, ZERO, 1)


def test_safe_transfer_from__paused__reverts(minted, actors):
    pause(minted, actors.pauser)
    with boa.reverts(PAUSED):
        transfer(minted, actors.holder, actors.holder, actors.buyer, 1)


def test_safe_transfer_from__after_unpause__moves(minted, actors):
    pause(minted, actors.pauser)
    with boa.env.prank(actors.pauser):
        minted.unpause()
    transfer(minted, actors.holder, actors.holder, actors.buyer, 1)
    assert minted.balanceOf(actors.buyer, TID) == 1


def test_safe_transfer_from__to_accepting_contract__hook_sees_moved_balance(minted, actors):
    receiver = boa.loads(RECEIVER)
    with boa.env.prank(actors.holder):
        minted.setApprovalForAll(actors.stranger, True)
    transfer(minted, actors.stranger, actors.holder, receiver.address, 2, data=b"\x01lot-7")
    assert (receiver.calls(), receiver.operator(), receiver.sender()) == (
        1,
        actors.stranger,
        actors.holder,
    )
    assert (receiver.received(), receiver.data()) == (([TID], [2]), b"\x01lot-7")
    assert receiver.seen() == 2
    assert logged(minted, "TransferSingle") == [
        single(minted, actors.stranger, actors.holder, receiver.address, 2)
    ]


def test_safe_transfer_from__to_account_without_code__no_call(minted, actors):
    """An account without code gets the credits without any call (the data is not used)."""
    transfer(minted, actors.holder, actors.holder, actors.buyer, 1, data=b"ignored")
    assert minted.balanceOf(actors.buyer, TID) == 1


@pytest.mark.parametrize(
    "source, reason",
    [
        (WRONG_ANSWER_RECEIVER, NOT_RECEIVER),
        (REFUSING_RECEIVER, "receiver: refused"),
        (NO_HOOK_CONTRACT, None),
    ],
)
def test_safe_transfer_from__to_contract_not_accepting__reverts(minted, actors, source, reason):
    receiver = boa.loads(source)
    with boa.reverts(reason) if reason else boa.reverts():
        transfer(minted, actors.holder, actors.holder, receiver.address, 1)
    assert minted.balanceOf(actors.holder, TID) == 10
    assert minted.balanceOf(receiver.address, TID) == 0


def test_safe_transfer_from__to_contract_without_hook__reverts(minted, actors, world):
    """The world's Registry has code but no ERC-1155 hook."""
    with boa.reverts():
        transfer(minted, actors.holder, actors.holder, world.registry.address, 1)
    assert minted.balanceOf(actors.holder, TID) == 10


def test_safe_transfer_from__data_longer_than_1024_bytes__reverts(minted, actors):
    with boa.reverts():
        transfer(minted, actors.holder, actors.holder, actors.buyer, 1, data=b"x" * 1025)


# ---- safeBatchTransferFrom --------------------------------------------------------------------


@pytest.fixture
def two_tokens(minted, minter, actors):
    """The holder has 10 of TID and 3 of OTHER."""
    with boa.env.prank(minter):
        minted.mint(actors.holder, OTHER, 3)
    return minted


def test_safe_batch_transfer_from__holder__moves_each_id_and_logs(two_tokens, actors):
    batch(two_tokens, actors.holder, actors.holder, actors.buyer, [TID, OTHER], [1, 3])
    assert logged(two_tokens, "TransferBatch") == [
        [two_tokens.address, actors.holder, actors.holder, actors.buyer, [TID, OTHER], [1, 3]]
    ]
    assert logged(two_tokens, "TransferSingle") == []
    assert two_tokens.balanceOfBatch(
        [actors.holder, actors.holder, actors.buyer, actors.buyer], [TID, OTHER, TID, OTHER]
    ) == [9, 0, 1, 3]


def test_safe_batch_transfer_from__same_id_twice__moves_the_sum(minted, actors):
    batch(minted, actors.holder, actors.holder, actors.buyer, [TID, TID], [4, 6])
    assert minted.balanceOf(actors.buyer, TID) == 10
    assert minted.balanceOf(actors.holder, TID) == 0


def test_safe_batch_transfer_from__same_id_twice_above_balance__reverts(minted, actors):
    """Each entry is checked against what is left: 6 + 6 of 10 fails on the second."""
    with boa.reverts(INSUFFICIENT):
        batch(minted, actors.holder, actors.holder, actors.buyer, [TID, TID], [6, 6])
    assert minted.balanceOf(actors.holder, TID) == 10


def test_safe_batch_transfer_from__one_id_short__reverts_whole_batch(two_tokens, actors):
    with boa.reverts(INSUFFICIENT):
        batch(two_tokens, actors.holder, actors.holder, actors.buyer, [TID, OTHER], [1, 4])
    assert two_tokens.balanceOfBatch([actors.holder, actors.buyer], [TID, TID]) == [10, 0]


def test_safe_batch_transfer_from__empty__logs_empty_batch(minted, actors):
    batch(minted, actors.holder, actors.holder, actors.buyer, [], [])
    assert logged(minted, "TransferBatch") == [
        [minted.address, actors.holder, actors.holder, actors.buyer, [], []]
    ]


def test_safe_batch_transfer_from__approved_operator__moves(two_tokens, actors):
    with boa.env.prank(actors.holder):
        two_tokens.setApprovalForAll(actors.stranger, True)
    batch(two_tokens, actors.stranger, actors.holder, actors.buyer, [OTHER], [2])
    assert logged(two_tokens, "TransferBatch") == [
        [two_tokens.address, actors.stranger, actors.holder, actors.buyer, [OTHER], [2]]
    ]


def test_safe_batch_transfer_from__not_approved__reverts(minted, actors):
    with boa.reverts(NOT_APPROVED):
        batch(minted, actors.stranger, actors.holder, actors.buyer, [TID], [1])


def test_safe_batch_transfer_from__length_mismatch__reverts(minted, actors):
    with boa.reverts("erc1155: ids and amounts length mismatch"):
        batch(minted, actors.holder, actors.holder, actors.buyer, [TID, TID], [1])


def test_safe_batch_transfer_from__to_zero__reverts(minted, actors):
    with boa.reverts("erc1155: transfer to the zero address"):
        batch(minted, actors.holder, actors.holder, ZERO, [TID], [1])


def test_safe_batch_transfer_from__paused__reverts(minted, actors):
    pause(minted, actors.pauser)
    with boa.reverts(PAUSED):
        batch(minted, actors.holder, actors.holder, actors.buyer, [TID], [1])


def test_safe_batch_transfer_from__to_accepting_contract__calls_batch_hook(two_tokens, actors):
    receiver = boa.loads(RECEIVER)
    batch(two_tokens, actors.holder, actors.holder, receiver.address, [TID, OTHER], [5, 1], b"d")
    assert (receiver.calls(), receiver.operator(), receiver.sender()) == (
        1,
        actors.holder,
        actors.holder,
    )
    assert (receiver.received(), receiver.data()) == (([TID, OTHER], [5, 1]), b"d")
    assert receiver.seen() == 5


@pytest.mark.parametrize(
    "source, reason",
    [
        (WRONG_ANSWER_RECEIVER, NOT_RECEIVER),
        (REFUSING_RECEIVER, "receiver: refused"),
        (SINGLE_ONLY_RECEIVER, None),
        (NO_HOOK_CONTRACT, None),
    ],
)
def test_safe_batch_transfer_from__to_contract_not_accepting__reverts(
    minted, actors, source, reason
):
    receiver = boa.loads(source)
    with boa.reverts(reason) if reason else boa.reverts():
        batch(minted, actors.holder, actors.holder, receiver.address, [TID], [1])
    assert minted.balanceOf(actors.holder, TID) == 10


# ---- balanceOf, balanceOfBatch, setApprovalForAll, isApprovedForAll ---------------------------


def test_balance_of__unknown_holder_or_token__zero(minted, actors):
    assert minted.balanceOf(actors.stranger, TID) == 0
    assert minted.balanceOf(actors.holder, OTHER) == 0
    assert minted.balanceOf(actors.holder, 2**256 - 1) == 0


def test_balance_of_batch__empty__empty(credit):
    assert credit.balanceOfBatch([], []) == []


def test_balance_of_batch__length_mismatch__reverts(minted, actors):
    with boa.reverts("erc1155: owners and ids length mismatch"):
        minted.balanceOfBatch([actors.holder, actors.buyer], [TID])


def test_set_approval_for_all__logs_and_sets(credit, actors):
    with boa.env.prank(actors.holder):
        credit.setApprovalForAll(actors.stranger, True)
    assert logged(credit, "ApprovalForAll") == [
        [credit.address, actors.holder, actors.stranger, True]
    ]
    assert credit.isApprovedForAll(actors.holder, actors.stranger)
    assert not credit.isApprovedForAll(actors.stranger, actors.holder)
    with boa.env.prank(actors.holder):
        credit.setApprovalForAll(actors.stranger, False)
    assert logged(credit, "ApprovalForAll") == [
        [credit.address, actors.holder, actors.stranger, False]
    ]
    assert not credit.isApprovedForAll(actors.holder, actors.stranger)


def test_set_approval_for_all__self__reverts(credit, actors):
    with boa.env.prank(actors.holder), boa.reverts("erc1155: setting approval status for self"):
        credit.setApprovalForAll(actors.holder, True)


def test_set_approval_for_all__while_paused__allowed(credit, actors):
    """Approving moves nothing, so a pause does not stop it."""
    pause(credit, actors.pauser)
    with boa.env.prank(actors.holder):
        credit.setApprovalForAll(actors.stranger, True)
    assert credit.isApprovedForAll(actors.holder, actors.stranger)


# ---- pause hint -------------------------------------------------------------------------------


def test_pause__keeps_the_wei_and_unpause_returns_it(credit, actors):
    pause(credit, actors.pauser)
    assert boa.env.get_balance(credit.address) == 1
    before = boa.env.get_balance(actors.pauser)
    with boa.env.prank(actors.pauser):
        credit.unpause()
    assert boa.env.get_balance(credit.address) == 0
    assert boa.env.get_balance(actors.pauser) == before + 1


def test_pause__without_wei__reverts(credit, actors):
    with boa.env.prank(actors.pauser), boa.reverts("credit: pause needs 1 wei"):
        credit.pause()
    assert not credit.paused()


def test_forced_ether__unpaused__transfers_still_move(minted, actors):
    """Ether forced in (a self-destruct, a block reward) only makes transfers read the flag."""
    boa.env.set_balance(minted.address, 5)
    transfer(minted, actors.holder, actors.holder, actors.buyer, 1)
    assert minted.balanceOf(actors.buyer, TID) == 1


def test_forced_ether__returned_by_unpause(minted, actors):
    boa.env.set_balance(minted.address, 5)
    pause(minted, actors.pauser)
    with boa.env.prank(actors.pauser):
        minted.unpause()
    assert boa.env.get_balance(minted.address) == 0


REFUSING_PAUSER = """
# pragma version ~=0.4.3
interface ICredit:
    def pause(): payable
    def unpause(): nonpayable

@external
@payable
def pause(credit: address):
    extcall ICredit(credit).pause(value=msg.value)

@external
def unpause(credit: address):
    extcall ICredit(credit).unpause()
"""


def test_unpause__pauser_refusing_ether__unpauses_and_transfers_move(minted, actors):
    pauser = boa.loads(REFUSING_PAUSER)
    with boa.env.prank(actors.admin):
        minted.grant_role(minted.PAUSER_ROLE(), pauser.address)
        boa.env.time_travel(seconds=minted.ADMIN_DELAY())
        minted.activate_role(minted.PAUSER_ROLE(), pauser.address)
    boa.env.set_balance(actors.stranger, 10)
    with boa.env.prank(actors.stranger):
        pauser.pause(minted.address, value=1)
    assert minted.paused()
    pauser.unpause(minted.address)
    assert not minted.paused()
    assert boa.env.get_balance(minted.address) == 1  # refused: the hint stays set
    transfer(minted, actors.holder, actors.holder, actors.buyer, 1)
    assert minted.balanceOf(actors.buyer, TID) == 1


# ---- retire -----------------------------------------------------------------------------------


def test_retire__holder__burns_records_and_logs(minted, actors):
    retirement_id = retire(minted, actors.holder, 3, purpose=3, memo="RE100 2025")
    assert retirement_id == 1
    assert events(minted, "Retired") == [
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
            "certification_id": 0,
            "first_serial": 0,
        }
    ]
    assert logged(minted, "TransferSingle") == [
        single(minted, actors.holder, actors.holder, ZERO, 3)
    ]
    assert minted.retirements(1) == (
        actors.holder,
        TID,
        3,
        boa.env.timestamp,
        3,
        keccak(b"Example K.K."),
        keccak(b"RE100 2025"),
        0,
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
    assert minted.minted(TID) == 10


def test_retire__while_paused__stays_open(minted, actors):
    pause(minted, actors.pauser)
    assert retire(minted, actors.holder, 10) == 1
    assert minted.total_supply(TID) == 0
    assert minted.retired_by_token(TID) == 10


def test_retire__more_than_balance__reverts(minted, actors):
    with boa.reverts("credit: amount > balance"):
        retire(minted, actors.holder, 11)


def test_retire__by_non_holder__reverts(minted, actors):
    with boa.reverts("credit: amount > balance"):
        retire(minted, actors.stranger, 1)


def test_retire__operator_for_holder__reverts(minted, actors):
    """An operator retires only its own credits: the holder's stay untouched."""
    with boa.env.prank(actors.holder):
        minted.setApprovalForAll(actors.stranger, True)
    with boa.reverts("credit: amount > balance"):
        retire(minted, actors.stranger, 1)
    assert minted.balanceOf(actors.holder, TID) == 10


def test_retire__zero_amount__reverts(minted, actors):
    with boa.reverts("credit: zero amount"):
        retire(minted, actors.holder, 0)


def test_retire__unknown_purpose__reverts(minted, actors):
    with boa.reverts("credit: unknown purpose"):
        retire(minted, actors.holder, 1, purpose=6)


def test_retire__empty_beneficiary__reverts(minted, actors):
    with boa.reverts("credit: empty beneficiary"):
        retire(minted, actors.holder, 1, beneficiary="")


@pytest.mark.parametrize(
    "beneficiary",
    ["   ", "\t", "\u3000\u3000", "\r\n", " \t\u3000\n", "\u3000" * 42 + "  "],
    ids=["spaces", "tab", "ideographic-spaces", "crlf", "mixed", "longest"],
)
def test_retire__blank_beneficiary__reverts(minted, actors, beneficiary):
    with boa.reverts("credit: blank beneficiary"):
        retire(minted, actors.holder, 1, beneficiary=beneficiary)


@pytest.mark.parametrize(
    "beneficiary",
    ["遠州精密部品株式会社", "\u3000遠州精密", " A ", "\t.", "、", "\u3000\u3000x"],
    ids=["japanese-name", "leading-ideographic-space", "padded", "tab-dot", "comma", "tail"],
)
def test_retire__beneficiary_with_a_visible_character__accepted(minted, actors, beneficiary):
    retire(minted, actors.holder, 1, beneficiary=beneficiary)
    (logged_retirement,) = events(minted, "Retired")
    assert logged_retirement["beneficiary"] == beneficiary
    assert logged_retirement["beneficiary_hash"] == keccak(beneficiary.encode())


def test_retire__empty_memo__record_and_event_carry_empty_string_hash(minted, actors):
    retire(minted, actors.holder, 2, memo="")
    (retired,) = events(minted, "Retired")
    assert retired["memo"] == ""
    assert retired["memo_hash"] == EMPTY_KECCAK
    assert minted.retirements(1)[6] == EMPTY_KECCAK


def test_retire__widest_token_id_and_largest_mint__record_unpacks_exactly(credit, minter, actors):
    widest, largest = 2**128 - 1, 2**64 - 1  # the id field all ones: a mask error would show
    with boa.env.prank(minter):
        credit.mint(actors.holder, widest, largest)
    with boa.env.prank(actors.holder):
        credit.retire(widest, largest, "B", 5, "m")
    assert credit.retirements(1) == (
        actors.holder,
        widest,
        largest,
        boa.env.timestamp,
        5,
        keccak(b"B"),
        keccak(b"m"),
        0,
    )
    assert credit.retired_by_token(widest) == largest
    assert credit.total_supply(widest) == 0
    assert credit.minted(widest) == largest


def test_retire__token_id_wider_than_128_bits__reverts(minted, actors):
    with boa.env.prank(actors.holder), boa.reverts("credit: token id too large"):
        minted.retire(2**128, 1, "B", 0, "")


def test_retire__amount_wider_than_128_bits__reverts(minted, actors):
    with boa.reverts("credit: amount too large"):
        retire(minted, actors.holder, 2**128)


def test_retired_by_token__counts_retirements_only(minted, actors):
    """10 minted, 3 retired, 2 more transferred (not retired): 3 retired, 7 in supply."""
    retire(minted, actors.holder, 3)
    transfer(minted, actors.holder, actors.holder, actors.buyer, 2)
    assert minted.retired_by_token(TID) == 3
    assert minted.total_supply(TID) == 7
    assert minted.retired_by_token(TID + 1) == 0


def test_minted__never_minted__zero(credit):
    assert credit.minted(TID) == 0


def test_purpose_constants__documented_codes(credit):
    assert (
        credit.PURPOSE_GHG_LAW_REPORTING(),
        credit.PURPOSE_CARBON_OFFSET(),
        credit.PURPOSE_CDP(),
        credit.PURPOSE_RE100(),
        credit.PURPOSE_SBT(),
        credit.PURPOSE_OTHER(),
    ) == (0, 1, 2, 3, 4, 5)


def test_retirements__unknown_id__all_zero(credit):
    assert credit.retirements(5) == (ZERO, 0, 0, 0, 0, b"\x00" * 32, b"\x00" * 32, 0)


def test_retirement_count__fresh__zero(credit, actors):
    assert credit.retirement_count() == 0
    assert credit.retired_by_holder(actors.holder) == 0


# ---- property: nothing is created or lost -----------------------------------------------------

HOLDERS = ("holder", "buyer", "challenger")


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    steps=st.lists(
        st.tuples(
            st.sampled_from(["transfer", "batch", "retire"]),
            st.sampled_from(HOLDERS),
            st.sampled_from(HOLDERS),
            st.integers(min_value=0, max_value=12),
        ),
        max_size=12,
    )
)
def test_property__transfers_and_retirements_conserve_the_minted_total(
    credit, minter, actors, steps
):
    """Random transfers, one-entry batches and retirements of one token, some above the
    balance: sum(balances) + retired == minted after every step, and the balances follow a
    plain model (a refused step changes nothing)."""
    with boa.env.anchor():
        with boa.env.prank(minter):
            credit.mint(actors.holder, TID, 10)
            credit.mint(actors.buyer, TID, 5)
        model = {"holder": 10, "buyer": 5, "challenger": 0}
        retired = 0
        for action, sender, receiver, amount in steps:
            source, target = getattr(actors, sender), getattr(actors, receiver)
            enough = amount <= model[sender]
            with boa.env.prank(source):
                if action == "retire":
                    if amount == 0 or not enough:
                        reason = (
                            "credit: zero amount" if amount == 0 else "credit: amount > balance"
                        )
                        with boa.reverts(reason):
                            credit.retire(TID, amount, "Example K.K.", 0, "")
                        continue
                    credit.retire(TID, amount, "Example K.K.", 0, "")
                    model[sender] -= amount
                    retired += amount
                else:
                    if not enough:
                        with boa.reverts(INSUFFICIENT):
                            if action == "transfer":
                                credit.safeTransferFrom(source, target, TID, amount, b"")
                            else:
                                credit.safeBatchTransferFrom(source, target, [TID], [amount], b"")
                        continue
                    if action == "transfer":
                        credit.safeTransferFrom(source, target, TID, amount, b"")
                    else:
                        credit.safeBatchTransferFrom(source, target, [TID], [amount], b"")
                    model[sender] -= amount
                    model[receiver] += amount
            balances = credit.balanceOfBatch([getattr(actors, h) for h in HOLDERS], [TID] * 3)
            assert balances == [model[h] for h in HOLDERS]
            assert sum(balances) == credit.total_supply(TID)
            assert sum(balances) + credit.retired_by_token(TID) == credit.minted(TID) == 15
            assert credit.retired_by_token(TID) == retired
