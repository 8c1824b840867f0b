"""policy/README.md lists every rule with where its semantics come from."""

from __future__ import annotations

import re

from gitops.validate import policy
from tests.conftest import REPO


def test_every_rule_has_a_row_with_its_source():
    rows = {
        m[1]: m[2]
        for m in re.finditer(
            r"^\| `([a-z0-9-]+)` \|[^|]*\| ([^|]+) \|$", (REPO / "policy" / "README.md").read_text(), re.M
        )
    }
    assert set(rows) == set(policy.ids()), (
        f"policy/README.md rows differ from the rules: {set(rows) ^ set(policy.ids())}"
    )
    assert all(source.strip() for source in rows.values())
