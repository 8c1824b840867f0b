"""Bad fixtures: one folder per case, its inputs beside `expected.txt`, the exact lines a user reads."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
EXPECTED = "expected.txt"


def cases(kind: str) -> list[Path]:
    """Every fixture folder under fixtures/<kind>/ that says what it expects."""
    return sorted(p.parent for p in (FIXTURES / kind).glob(f"*/{EXPECTED}"))


def expected(case: Path) -> list[str]:
    return (case / EXPECTED).read_text().splitlines()
