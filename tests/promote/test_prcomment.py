"""The PR-diff job: which folders a PR touches (from what each kustomization reads), one comment per PR."""

from __future__ import annotations

import pytest

from gitops.diff import prcomment
from tests.promote.repo import folder
from tests.support.git import git, write


@pytest.mark.parametrize(
    ("paths", "folders"),
    [
        pytest.param(["k8s/overlays/prod/wine/kustomization.yaml"], ["prod/wine"], id="one-model-one-environment"),
        pytest.param(
            ["k8s/models/wine/kustomization.yaml"], ["dev/wine", "staging/wine", "prod/wine"], id="declaration"
        ),
        pytest.param(
            ["k8s/overlays/staging/environment/kustomization.yaml"], ["staging/iris", "staging/wine"], id="environment"
        ),
        pytest.param(
            ["k8s/base/deployment.yaml"],
            [f"{e}/{m}" for e in ("dev", "staging", "prod") for m in ("iris", "wine")],
            id="base-touches-every-model",
        ),
        pytest.param(["k8s/overlays/dev/namespace/namespace.yaml"], ["dev/namespace"], id="namespace"),
        pytest.param(["README.md", "src/gitops/diff/against.py", "k8s/base/README.md"], [], id="no-manifests"),
    ],
)
def test_touched_folders(repo, paths, folders):
    assert [str(f) for f in prcomment.touched_folders(repo, paths)] == [f"k8s/overlays/{f}" for f in folders]


def test_a_deploy_pr_for_wine_renders_wine_only(repo, prs):
    git(repo, "switch", "-q", "-c", "deploy/wine-v3")
    write(repo, "k8s/overlays/dev/wine/kustomization.yaml", folder("dev", "wine", "3", "1.2.0", champion="2"))
    git(repo, "commit", "-q", "-am", "deploy: wine v3 (1.2.0) to dev")
    assert prcomment.main(["--pr", "9", "--base", "main", "--root", str(repo)], prs=prs) == 0
    (body,) = prs.comments[9]
    assert "#### `k8s/overlays/dev/wine@main` → `k8s/overlays/dev/wine`" in body
    assert "k8s/overlays/dev/iris" not in body
    assert (
        "| changed | <code>ConfigMap/ml-dev/wine-model-pin</code> | <code>data.modelVersion</code> | "
        '<code>"2"</code> | <code>"3"</code> |' in body
    )


def test_the_comment_is_posted_once_and_then_updated(repo, prs, capsys):
    git(repo, "switch", "-q", "-c", "feature")
    pin = repo / "k8s/overlays/prod/iris/kustomization.yaml"
    write(repo, "k8s/overlays/prod/iris/kustomization.yaml", pin.read_text().replace("accuracy=0.97", "accuracy=0.98"))
    git(repo, "commit", "-q", "-am", "prod: accuracy")
    assert prcomment.main(["--pr", "7", "--base", "main", "--root", str(repo)], prs=prs) == 0
    assert prs.comments[7] == [
        "<!-- iris-gitops:rendered-diff -->\n"
        "### Rendered diff against `main`\n"
        "\n"
        "#### `k8s/overlays/prod/iris@main` → `k8s/overlays/prod/iris`\n"
        "\n"
        "**0 added, 0 removed, 1 changed**\n"
        "\n"
        "| | object | field | old | new |\n"
        "|---|---|---|---|---|\n"
        "| changed | <code>ConfigMap/ml-prod/iris-model-pin</code> | <code>data.accuracy</code> | "
        '<code>"0.97"</code> | <code>"0.98"</code> |\n'
    ]
    write(repo, "k8s/overlays/prod/iris/kustomization.yaml", pin.read_text().replace("accuracy=0.98", "accuracy=0.97"))
    git(repo, "commit", "-q", "-am", "prod: revert accuracy")
    assert prcomment.main(["--pr", "7", "--base", "main", "--root", str(repo)], prs=prs) == 0
    # Reverted: the net change touches no folder, and the same comment now says so.
    assert prs.comments[7] == [
        "<!-- iris-gitops:rendered-diff -->\n### Rendered diff against `main`\n\nThis pull request changes no "
        "deployed folder.\n"
    ]
    assert capsys.readouterr().out == "prcomment: https://github.test/pulls/7#comment-0\n" * 2
