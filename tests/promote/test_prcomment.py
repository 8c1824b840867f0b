"""The PR-diff job: which overlays a PR touches, and one comment per PR, edited in place."""

from __future__ import annotations

import pytest

from gitops.diff import prcomment
from tests.support.git import git, write


@pytest.mark.parametrize(
    ("paths", "envs"),
    [
        pytest.param(["k8s/overlays/prod/model-pin.yaml"], ["prod"], id="one-overlay"),
        pytest.param(
            ["k8s/overlays/staging/a.yaml", "k8s/overlays/dev/b.yaml"], ["dev", "staging"], id="two-overlays-in-order"
        ),
        pytest.param(["k8s/base/deployment.yaml"], ["dev", "staging", "prod"], id="base-touches-all"),
        pytest.param(
            ["k8s/components/monitoring/kustomization.yaml"], ["dev", "staging", "prod"], id="component-touches-all"
        ),
        pytest.param(["README.md", "src/gitops/diff.py"], [], id="no-manifests"),
    ],
)
def test_touched_overlays(paths, envs):
    assert prcomment.touched_overlays(paths) == envs


def test_the_comment_is_posted_once_and_then_updated(repo, prs, capsys):
    git(repo, "switch", "-q", "-c", "feature")
    pin = repo / "k8s/overlays/prod/model-pin.yaml"
    write(repo, "k8s/overlays/prod/model-pin.yaml", pin.read_text().replace('accuracy: "0.97"', 'accuracy: "0.98"'))
    git(repo, "commit", "-q", "-am", "prod: accuracy")
    assert prcomment.main(["--pr", "7", "--base", "main", "--root", str(repo)], prs=prs) == 0
    assert prs.comments[7] == [
        "<!-- iris-gitops:rendered-diff -->\n"
        "### Rendered diff against `main`\n"
        "\n"
        "#### `k8s/overlays/prod@main` → `k8s/overlays/prod`\n"
        "\n"
        "**0 added, 0 removed, 1 changed**\n"
        "\n"
        "| | object | field | old | new |\n"
        "|---|---|---|---|---|\n"
        "| changed | <code>ConfigMap/iris-prod/model-pin</code> | <code>data.accuracy</code> | "
        '<code>"0.97"</code> | <code>"0.98"</code> |\n'
    ]
    write(repo, "k8s/overlays/prod/model-pin.yaml", pin.read_text().replace('accuracy: "0.98"', 'accuracy: "0.97"'))
    git(repo, "commit", "-q", "-am", "prod: revert accuracy")
    assert prcomment.main(["--pr", "7", "--base", "main", "--root", str(repo)], prs=prs) == 0
    # Reverted: the net change touches no overlay, and the same comment now says so.
    assert prs.comments[7] == [
        "<!-- iris-gitops:rendered-diff -->\n### Rendered diff against `main`\n\nThis pull request changes no "
        "overlay.\n"
    ]
    assert capsys.readouterr().out == "prcomment: https://github.test/pulls/7#comment-0\n" * 2
