# pragma version ~=0.4.3
"""
@title A project owner that is a contract (tests only)
@notice Forwards any call, so a test can have a contract register a project and its meters
        (its credits then accrue on MonitoringReports instead of being minted to it). No access
        control: never deploy outside tests.
"""


@external
def execute(target: address, data: Bytes[4096]) -> Bytes[4096]:
    """
    @notice Calls `target` with `data` as this contract.
    @param target The contract to call.
    @param data The calldata.
    @return The call's return data.
    """
    return raw_call(target, data, max_outsize=4096)
