"""Rule fixtures as rendered Documents, and a Context rooted in the fixture repo (importable, unlike conftest).

A fixture folder holding a kustomization.yaml is a kustomization the validator builds
instead (rules about kustomization files need kustomize's own render).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from gitops.core.documents import Document
from gitops.validate.policy import Context
from gitops.validate.policy.charts import OPEN_VALUES_FILE, PinnedCharts, load_open_values
from gitops.validate.policy.platform import load_platform_objects
from gitops.validate.policy.storage import SERVING_STORAGE_FILE, load_serving_storage
from gitops.validate.schemas import store
from mlpipeline.metric_names import METRICS

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "rules"
REPO = FIXTURES / "repo"  # Application paths in fixtures resolve here
PROJECT = FIXTURES.parents[2]  # the real repo: its schema store holds the pinned charts


def built_by_kustomize(directory: Path) -> bool:
    return (directory / "kustomization.yaml").is_file()


def load(directory: Path) -> tuple[str, list[Document]]:
    """(source, documents) of every YAML file in a fixture directory, as the validator would pass them."""
    source = str(directory.relative_to(FIXTURES.parent.parent.parent))
    bodies = [b for f in sorted(directory.glob("*.yaml")) for b in yaml.safe_load_all(f.read_text()) if b]
    return source, [Document(source, i, body) for i, body in enumerate(bodies)]


def make_context(steps_dir: Path | None = None, metrics=METRICS) -> Context:
    platform = load_platform_objects(REPO / "policy" / "platform-objects.yaml", "policy/platform-objects.yaml")
    return Context(
        root=REPO,
        platform=platform,
        metrics=metrics,
        steps_dir=steps_dir or REPO / "src" / "mlpipeline",
        charts=PinnedCharts(store.default_root(PROJECT)),
        open_values=load_open_values(REPO / OPEN_VALUES_FILE, OPEN_VALUES_FILE),
        storage=load_serving_storage(REPO / SERVING_STORAGE_FILE, SERVING_STORAGE_FILE),
    )
