"""The speed figures README states are the ones `make bench` last wrote, not numbers typed once and left."""

from __future__ import annotations

import json
import re

from tests.conftest import REPO

README = REPO / "README.md"
RESULTS = REPO / "bench" / "results.json"


def stated() -> dict[str, str]:
    """README's figures, each read just before the results key it cites in parentheses."""
    text = " ".join(README.read_text().split())
    found = {
        "demo_warm": r"takes ([\d.]+) s, validation included \(`demo_warm`\)",
        "demo_unchanged": r"an unchanged re-run ([\d.]+) s \(`demo_unchanged`\)",
        "pipeline": r"\(`--no-serve`\) ([\d.]+) s, ([\d.]+) of kfp.local's ([\d.]+) s",
        "plain": r"took ([\d.]+) s there .* ([\d.]+) of them \(`ratio_to_plain_processes`\)",
    }
    out = {}
    for name, pattern in found.items():
        match = re.search(pattern, text)
        assert match, f"README.md no longer states the {name} figure as {pattern!r}: update this test with it"
        out[name] = match.groups()
    return out


def test_readme_states_the_figures_in_bench_results():
    warm = json.loads(RESULTS.read_text())["pipeline_run_warm"]
    figures = stated()
    assert figures["demo_warm"] == (f"{warm['demo_warm']['wall_s']:.1f}",)
    assert figures["demo_unchanged"] == (f"{warm['demo_unchanged']['wall_s']:.1f}",)
    ratio = f"{warm['ratio_to_kfp_local']:.2f}"
    assert figures["pipeline"] == (f"{warm['wall_s']:.1f}", ratio, f"{warm['kfp_local_s']}")
    plain = (f"{warm['plain_processes']['wall_s']:.1f}", f"{warm['ratio_to_plain_processes']:.2f}")
    assert figures["plain"] == plain
