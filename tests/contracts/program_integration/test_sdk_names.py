"""The SDK client (jcredit/programs.py) calls only what the real contracts expose: every
`self.contract.<name>` is a function or event of Programs' ABI, every proof function of
`PROOF_FUNCTIONS` is in the ABI of the contract it names."""

import re
from pathlib import Path

import pytest

import jcredit.programs as sdk
from oracles.program import verify as V


def abi_names(contract) -> set[str]:
    return {entry["name"] for entry in contract.abi if "name" in entry}


def test_client_uses_only_programs_abi_names(chain):
    source = Path(sdk.__file__).read_text()
    used = set(re.findall(r"self\.contract\.([A-Za-z_]+)", source))
    assert used and not used - abi_names(chain.programs)


@pytest.mark.parametrize("function", sorted(sdk.PROOF_FUNCTIONS))
def test_proof_functions_are_in_their_contracts(chain, function):
    contract, kind = sdk.PROOF_FUNCTIONS[function]
    deployed = {"MemberProofs": chain.member_proofs, "ProgramProofs": chain.program_proofs}
    assert function in abi_names(deployed[contract])
    assert sdk.proof_kind(V.ProofCall(contract, function, ())) == kind
    other = "ProgramProofs" if contract == "MemberProofs" else "MemberProofs"
    with pytest.raises(sdk.InputError):
        sdk.proof_kind(V.ProofCall(other, function, ()))
