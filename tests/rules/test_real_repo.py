"""The repo's own overlays and steps pass every rule with no unwaived finding."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from gitops import rules
from gitops.documents import Document
from gitops.render import build

REPO = Path(__file__).resolve().parents[2]
KUSTOMIZATIONS = sorted(
    str(p.parent.relative_to(REPO))
    for pattern in ("k8s/overlays/*/kustomization.yaml", "argocd/**/kustomization.yaml")
    for p in REPO.glob(pattern)
)
MANIFEST_RULES = [r.ID for r in rules.RULES if getattr(r, "SCOPE", "overlay") == "overlay"]
STEPS = [p for p in (REPO / "src" / "mlpipeline").glob("*.py") if p.stem not in ("__init__", "metric_names")]


@pytest.fixture(scope="module")
def context() -> rules.Context:
    return rules.Context.load(REPO)


def test_repo_context_loads(context):
    assert context.platform.objects and context.metrics


@pytest.mark.parametrize("source", KUSTOMIZATIONS, ids=KUSTOMIZATIONS)
def test_overlay_has_no_unwaived_finding(source, context):
    text = build(REPO / source, REPO).text
    docs = [Document(source, i, b) for i, b in enumerate(d for d in yaml.safe_load_all(text) if d)]
    findings = rules.run({source: docs}, context, only=MANIFEST_RULES)
    assert [f.line() for f in findings if not f.waived_by] == []


@pytest.mark.skipif(not STEPS, reason="no pipeline step modules in src/mlpipeline yet (written in parallel)")
def test_every_step_metric_is_emitted(context):
    assert [f.line() for f in rules.run({}, context, only=["metric-emitted"])] == []
