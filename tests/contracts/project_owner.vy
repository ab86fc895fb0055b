# pragma version ~=0.4.3
"""
@title Test-only project owner that is a contract refusing every ERC-1155 credit
@notice Owns a project, registers its meters and claims accrued credits;
        its receiver hook always reverts (attack 5: a stuck project).
"""

interface IRegistry:
    def register_project(
        capacity_w: uint256,
        commissioning: uint64,
        application: uint64,
        monitoring: uint64,
        methodology_id: String[32],
        metadata_uri: String[256],
    ) -> uint256: nonpayable
    def register_meter(
        project_id: uint256,
        meter: address,
        kind: uint256,
        serial: String[64],
        expiry: uint64,
        interval_seconds: uint32,
        meter_signature: Bytes[65],
    ): nonpayable

interface IReports:
    def claim(token_id: uint256, recipient: address): nonpayable


@external
def register(
    registry: address, capacity: uint256, commissioning: uint64, application: uint64,
    monitoring: uint64
) -> uint256:
    return extcall IRegistry(registry).register_project(
        capacity, commissioning, application, monitoring, "EN-R-002", ""
    )


@external
def register_meter(
    registry: address, project_id: uint256, meter: address, kind: uint256, serial: String[64],
    expiry: uint64, signature: Bytes[65]
):
    extcall IRegistry(registry).register_meter(project_id, meter, kind, serial, expiry, 1800, signature)


@external
def claim(reports: address, token_id: uint256, recipient: address):
    extcall IReports(reports).claim(token_id, recipient)


@external
def onERC1155Received(
    operator: address, sender: address, id: uint256, amount: uint256, data: Bytes[1024]
) -> bytes4:
    raise "refuses every credit"
