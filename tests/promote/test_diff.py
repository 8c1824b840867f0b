"""scripts/diff: per-object, per-field differences of two renders, without generator-hash noise."""

from __future__ import annotations

import json

import pytest

from gitops.core.kustomize import Rendered
from gitops.diff import against
from gitops.diff import cli as diff
from gitops.diff.objects import diff_renders
from tests.promote.repo import BASE_KUSTOMIZATION
from tests.support.git import git, write

DEV_VS_PROD = """\
k8s/overlays/dev -> k8s/overlays/prod: 0 added, 0 removed, 3 changed
~ ConfigMap/model-pin
    data.championVersion: "3" -> "2"
    data.modelVersion: "4" -> "3"
    data.runId: "run4" -> "run3"
    data.semver: "1.2.0" -> "1.1.0"
    data.storageUri: "s3://mlflow/1/models/m-4/artifacts" -> "s3://mlflow/1/models/m-3/artifacts"
~ ConfigMap/pipeline-config-{hash}
    data.ENVIRONMENT: "dev" -> "prod"
~ Deployment.apps/iris
"""
DEV_VS_PROD += (
    "    spec.template.spec.containers[name=server].image: "
    '"ghcr.io/example-org/iris-steps:0.1.0" -> "ghcr.io/example-org/iris-steps:0.0.9"\n'
)

SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: iris
spec:
  selector:
    app: iris
  ports:
    - name: http
      port: 8080
"""


def run(repo, capsys, *args):
    code = diff.main([*args, "--root", str(repo)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_two_environments_differ_by_pin_image_and_config_not_by_namespace(repo, capsys):
    assert run(repo, capsys, "dev", "prod") == (0, DEV_VS_PROD, "")


def test_json_form_of_a_known_change(repo, capsys):
    code, out, _ = run(repo, capsys, "staging", "prod", "--format", "json")
    assert code == 0
    assert json.loads(out) == {
        "left": "k8s/overlays/staging",
        "right": "k8s/overlays/prod",
        "added": [],
        "removed": [],
        "changed": [
            {
                "group": "",
                "kind": "ConfigMap",
                "name": "pipeline-config-{hash}",
                "fields": [{"path": "data.ENVIRONMENT", "old": "staging", "new": "prod"}],
            }
        ],
    }


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        pytest.param("text", "k8s/overlays/staging -> k8s/overlays/staging: no differences\n", id="text"),
        pytest.param(
            "json",
            '{\n  "left": "k8s/overlays/staging",\n  "right": "k8s/overlays/staging",\n'
            '  "added": [],\n  "removed": [],\n  "changed": []\n}\n',
            id="json",
        ),
        pytest.param(
            "markdown", "#### `k8s/overlays/staging` → `k8s/overlays/staging`\n\n**no differences**\n", id="markdown"
        ),
    ],
)
def test_identical_renders_have_no_diff(repo, capsys, fmt, expected):
    assert run(repo, capsys, "staging", "staging", "--format", fmt) == (0, expected, "")


def test_against_a_ref_reports_a_config_change_once_not_as_renames(repo, capsys):
    write(repo, "k8s/base/kustomization.yaml", BASE_KUSTOMIZATION.replace("MODEL_NAME=iris", "MODEL_NAME=iris-v2"))
    assert run(repo, capsys, "dev", "--against", "HEAD") == (
        0,
        "k8s/overlays/dev@HEAD -> k8s/overlays/dev: 0 added, 0 removed, 1 changed\n"
        "~ ConfigMap/iris-dev/pipeline-config-{hash}\n"
        '    data.MODEL_NAME: "iris" -> "iris-v2"\n',
        "",
    )
    # The renders really do differ in the generated name and in the Deployment that mounts it.
    old, new = against.render_env_at(repo, "dev", "HEAD").text, against.render_env(repo, "dev").text
    renamed = [line.strip() for line in old.splitlines() if "pipeline-config-" in line and line not in new.splitlines()]
    assert len(renamed) == 2 and len(set(renamed)) == 1  # the ConfigMap's name and the envFrom reference


def test_added_and_removed_objects_are_listed(repo, capsys):
    write(repo, "k8s/overlays/dev/service.yaml", SERVICE)
    kustomization = (repo / "k8s/overlays/dev/kustomization.yaml").read_text()
    write(
        repo, "k8s/overlays/dev/kustomization.yaml", kustomization.replace("  - model-pin.yaml\n", "  - service.yaml\n")
    )
    code, out, _ = run(repo, capsys, "dev", "--against", "HEAD", "--format", "markdown")
    assert (code, out) == (
        0,
        "#### `k8s/overlays/dev@HEAD` → `k8s/overlays/dev`\n"
        "\n"
        "**1 added, 1 removed, 0 changed**\n"
        "\n"
        "| | object | field | old | new |\n"
        "|---|---|---|---|---|\n"
        "| added | <code>Service/iris-dev/iris</code> | | | |\n"
        "| removed | <code>ConfigMap/iris-dev/model-pin</code> | | | |\n",
    )


def test_an_unknown_ref_is_an_error_naming_it(repo, capsys):
    assert run(repo, capsys, "dev", "--against", "no-such-ref") == (
        1,
        "",
        "diff: git archive no-such-ref: fatal: not a valid object name: no-such-ref\n",
    )


def test_a_ref_committed_since_is_rendered_from_that_commit(repo, capsys):
    old = git(repo, "rev-parse", "--short", "HEAD").strip()
    write(
        repo,
        "k8s/overlays/dev/kustomization.yaml",
        (repo / "k8s/overlays/dev/kustomization.yaml").read_text().replace('"0.1.0"', '"0.2.0"'),
    )
    git(repo, "commit", "-q", "-am", "bump dev image")
    assert run(repo, capsys, "dev", "--against", old)[1] == (
        f"k8s/overlays/dev@{old} -> k8s/overlays/dev: 0 added, 0 removed, 1 changed\n"
        "~ Deployment.apps/iris-dev/iris\n"
        '    spec.template.spec.containers[name=server].image: "ghcr.io/example-org/iris-steps:0.1.0" -> '
        '"ghcr.io/example-org/iris-steps:0.2.0"\n'
    )


def test_named_lists_match_by_name_and_absent_differs_from_null():
    old = Rendered(
        "a",
        "kind: Pod\napiVersion: v1\nmetadata: {name: p}\nspec:\n  containers: [{name: a, image: x}, {name: b, "
        "image: y}]\n  x: 1\n",
    )
    new = Rendered(
        "b",
        "kind: Pod\napiVersion: v1\nmetadata: {name: p}\nspec:\n  containers: [{name: new, image: z}, {name: "
        "a, image: x}, {name: b, image: y2}]\n  y: null\n",
    )
    (change,) = diff_renders(old, new).changed
    assert [(f.path, repr(f.old), repr(f.new)) for f in change.fields] == [
        ("spec.containers[name=b].image", "'y'", "'y2'"),
        ("spec.containers[name=new]", "MISSING", "{'name': 'new', 'image': 'z'}"),
        ("spec.x", "1", "MISSING"),
        ("spec.y", "MISSING", "None"),
    ]
