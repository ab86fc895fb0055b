"""contracts/README.md lists every revert reason the contracts can give, and no other."""

import re
from pathlib import Path

CONTRACTS = Path(__file__).resolve().parents[2] / "contracts"
PREFIXES = (
    "registry",
    "reports",
    "credit",
    "certification",
    "roles",
    "erc1155",
    "pausable",
    "ownable_2step",
    "programs",
    "program proofs",
    "program_tree",
)
REASON = re.compile(r'"((?:' + "|".join(PREFIXES) + r'): [^"]+)"')
LISTED = re.compile(r"`((?:" + "|".join(PREFIXES) + r"): [^`]+)`")


def _in_sources() -> set[str]:
    return {
        reason
        for source in CONTRACTS.rglob("*.vy")
        for reason in REASON.findall(source.read_text())
    }


def test_readme__lists_every_revert_reason_of_the_sources():
    readme = (CONTRACTS / "README.md").read_text()
    missing = sorted(reason for reason in _in_sources() if f"`{reason}`" not in readme)
    assert not missing, f"revert reasons missing from contracts/README.md: {missing}"


def test_readme__lists_no_revert_reason_the_sources_lack():
    listed = set(LISTED.findall((CONTRACTS / "README.md").read_text()))
    stale = sorted(listed - _in_sources())
    assert not stale, f"contracts/README.md lists reasons no contract gives: {stale}"
