"""k8s/README.md's per-environment table must say what the overlays render."""

from __future__ import annotations

from tests.manifests.environment_table import HEADER, environment_table
from tests.manifests.rendering import ROOT


def test_readme_environment_table_matches_the_overlays():
    readme = (ROOT / "k8s/README.md").read_text()
    start = readme.index(HEADER[0])
    end = readme.index("\n\n", start)
    assert readme[start:end] == environment_table(), (
        "k8s/README.md: the environment table is out of date; replace it with:\n" + environment_table()
    )
