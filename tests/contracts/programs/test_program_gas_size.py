"""Programs: submit_report is O(1) in the member count; the runtime code stays under EIP-170.

Gas here is the execution gas of the call inside the test's anchor (relative figures); the
transaction figures (cold, intrinsic included) come from benchmarks/bench_program.py.
"""

import boa
import pytest

from tests.contracts.contract_world import CONTRACTS, FY2025_START, MAY_2025
from tests.contracts.programs.program_world import enrollment_for, results_for, synthetic_root

EIP170_LIMIT = 24_576
MARGIN = 512


def submit_gas(pw, members: int) -> int:
    program = pw.create()
    if members <= 1_000:
        enrollment = enrollment_for(members)
        pw.enroll(program, enrollment)
        root = results_for(enrollment, FY2025_START, MAY_2025).root_node
    else:
        with boa.env.prank(pw.actors.manager):
            index = pw.programs.propose_enrollment(
                program.program_id, b"\x33" * 32, 2 * members, ""
            )
        with boa.env.prank(pw.actors.validator):
            pw.programs.approve_enrollment(program.program_id, index)
        root = synthetic_root(members * 600_000 + 123_456)
    pw.submit(program, root=root, member_count=members)
    return pw.programs._computation.get_gas_used()


def test_submit_report__gas_independent_of_member_count(pw):
    gas = {members: submit_gas(pw, members) for members in (10, 1_000, 100_000)}
    low, high = min(gas.values()), max(gas.values())
    assert high <= low * 1.05, f"submit_report gas by member count: {gas}"


@pytest.mark.parametrize("name", ["Programs"])
def test_runtime_size__under_eip170_with_margin(pw, name):
    runtime = boa.load_partial(str(CONTRACTS / f"{name}.vy")).compiler_data.bytecode_runtime
    deployed = len(boa.env.get_code(pw.programs.address))
    assert deployed >= len(runtime)
    assert deployed <= EIP170_LIMIT - MARGIN, f"{name}: {deployed} bytes deployed"
