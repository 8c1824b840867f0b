"""scripts/diff: per-object, per-field differences of two renders, per model and per environment."""

from __future__ import annotations

import json

import pytest

from gitops.core.kustomize import Rendered
from gitops.diff import against
from gitops.diff import cli as diff
from gitops.diff.objects import diff_renders
from tests.promote.repo import BASE_KUSTOMIZATION
from tests.support.git import git, write

DEV_VS_PROD_IRIS = """\
k8s/overlays/dev/iris -> k8s/overlays/prod/iris: 0 added, 0 removed, 3 changed
~ ConfigMap/iris-model-pin
    data.championVersion: "3" -> "2"
    data.modelVersion: "4" -> "3"
    data.runId: "run4" -> "run3"
    data.semver: "1.2.0" -> "1.1.0"
    data.storageUri: "s3://mlflow/1/models/iris-4/artifacts" -> "s3://mlflow/1/models/iris-3/artifacts"
~ ConfigMap/iris-pipeline-config-{hash}
    data.ENVIRONMENT: "dev" -> "prod"
~ Deployment.apps/iris-server
"""
DEV_VS_PROD_IRIS += (
    "    spec.template.spec.containers[name=server].image: "
    '"ghcr.io/example-org/pipeline-steps:0.1.0" -> "ghcr.io/example-org/pipeline-steps:0.0.9"\n'
)

SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: api
spec:
  selector:
    app: server
  ports:
    - name: http
      port: 8080
"""


def run(repo, capsys, *args):
    code = diff.main([*args, "--root", str(repo)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_one_model_in_two_environments_differs_by_pin_image_and_config_not_by_namespace(repo, capsys):
    assert run(repo, capsys, "dev", "prod", "--model", "iris") == (0, DEV_VS_PROD_IRIS, "")


def test_two_environments_are_compared_folder_by_folder(repo, capsys):
    code, out, _ = run(repo, capsys, "dev", "prod")
    assert code == 0
    heads = [line.split(":")[0] for line in out.splitlines() if "->" in line and not line.startswith(" ")]
    assert heads == [
        "k8s/overlays/dev/iris -> k8s/overlays/prod/iris",
        "k8s/overlays/dev/namespace -> k8s/overlays/prod/namespace",
        "k8s/overlays/dev/wine -> k8s/overlays/prod/wine",
    ]


def test_json_form_of_a_known_change(repo, capsys):
    code, out, _ = run(repo, capsys, "staging", "prod", "--model", "wine", "--format", "json")
    assert code == 0
    assert json.loads(out) == [
        {
            "left": "k8s/overlays/staging/wine",
            "right": "k8s/overlays/prod/wine",
            "added": [],
            "removed": [],
            "changed": [
                {
                    "group": "",
                    "kind": "ConfigMap",
                    "name": "wine-pipeline-config-{hash}",
                    "fields": [{"path": "data.ENVIRONMENT", "old": "staging", "new": "prod"}],
                }
            ],
        }
    ]


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        pytest.param("text", "k8s/overlays/staging/iris -> k8s/overlays/staging/iris: no differences\n", id="text"),
        pytest.param(
            "json",
            '[\n  {\n    "left": "k8s/overlays/staging/iris",\n    "right": "k8s/overlays/staging/iris",\n'
            '    "added": [],\n    "removed": [],\n    "changed": []\n  }\n]\n',
            id="json",
        ),
        pytest.param(
            "markdown",
            "#### `k8s/overlays/staging/iris` → `k8s/overlays/staging/iris`\n\n**no differences**\n",
            id="markdown",
        ),
    ],
)
def test_identical_renders_have_no_diff(repo, capsys, fmt, expected):
    assert run(repo, capsys, "staging", "staging", "--model", "iris", "--format", fmt) == (0, expected, "")


def test_against_a_ref_reports_a_config_change_once_not_as_renames(repo, capsys):
    write(repo, "k8s/base/kustomization.yaml", BASE_KUSTOMIZATION + "      - LOG_LEVEL=debug\n")
    assert run(repo, capsys, "dev", "--against", "HEAD", "--model", "wine") == (
        0,
        "k8s/overlays/dev/wine@HEAD -> k8s/overlays/dev/wine: 0 added, 0 removed, 1 changed\n"
        "~ ConfigMap/ml-dev/wine-pipeline-config-{hash}\n"
        '    data.LOG_LEVEL: (absent) -> "debug"\n',
        "",
    )
    # The renders really do differ in the generated name and in the Deployment that mounts it.
    folder = against.folders(repo, "dev", "wine")[0]
    with against.snapshot(repo, "HEAD") as old_tree:
        old = against.render(old_tree, folder).text
    new = against.render(repo, folder).text
    renamed = [line.strip() for line in old.splitlines() if "pipeline-config-" in line and line not in new.splitlines()]
    assert len(renamed) == 2 and len(set(renamed)) == 1  # the ConfigMap's name and the envFrom reference


def test_added_and_removed_objects_are_listed(repo, capsys):
    write(repo, "k8s/base/service.yaml", SERVICE)
    kustomization = (repo / "k8s/base/kustomization.yaml").read_text()
    write(repo, "k8s/base/kustomization.yaml", kustomization.replace("  - deployment.yaml\n", "  - service.yaml\n"))
    code, out, _ = run(repo, capsys, "dev", "--against", "HEAD", "--model", "iris", "--format", "markdown")
    assert (code, out) == (
        0,
        "#### `k8s/overlays/dev/iris@HEAD` → `k8s/overlays/dev/iris`\n"
        "\n"
        "**1 added, 1 removed, 0 changed**\n"
        "\n"
        "| | object | field | old | new |\n"
        "|---|---|---|---|---|\n"
        "| added | <code>Service/ml-dev/iris-api</code> | | | |\n"
        "| removed | <code>Deployment.apps/ml-dev/iris-server</code> | | | |\n",
    )


def test_an_unknown_ref_is_an_error_naming_it(repo, capsys):
    assert run(repo, capsys, "dev", "--against", "no-such-ref") == (
        1,
        "",
        "diff: git archive no-such-ref: fatal: not a valid object name: no-such-ref\n",
    )


def test_an_unknown_model_is_a_usage_error(repo, capsys):
    with pytest.raises(SystemExit) as exit_info:
        run(repo, capsys, "dev", "prod", "--model", "bert")
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        "scripts/diff: error: --model bert: no such model under k8s/models/ (iris, wine)"
    )


def test_a_ref_committed_since_is_rendered_from_that_commit(repo, capsys):
    old = git(repo, "rev-parse", "--short", "HEAD").strip()
    environment = repo / "k8s/overlays/dev/environment/kustomization.yaml"
    write(
        repo, "k8s/overlays/dev/environment/kustomization.yaml", environment.read_text().replace('"0.1.0"', '"0.2.0"')
    )
    git(repo, "commit", "-q", "-am", "bump dev image")
    assert run(repo, capsys, "dev", "--against", old, "--model", "iris")[1] == (
        f"k8s/overlays/dev/iris@{old} -> k8s/overlays/dev/iris: 0 added, 0 removed, 1 changed\n"
        "~ Deployment.apps/ml-dev/iris-server\n"
        '    spec.template.spec.containers[name=server].image: "ghcr.io/example-org/pipeline-steps:0.1.0" -> '
        '"ghcr.io/example-org/pipeline-steps:0.2.0"\n'
    )


def test_a_folder_the_ref_lacks_renders_as_nothing(repo, capsys):
    git(repo, "rm", "-q", "-r", "k8s/overlays/dev/wine")
    code, out, _ = run(repo, capsys, "dev", "--against", "HEAD", "--model", "wine")
    assert code == 0
    assert out.startswith("k8s/overlays/dev/wine@HEAD -> k8s/overlays/dev/wine: 0 added, 3 removed, 0 changed\n")


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
