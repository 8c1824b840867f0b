"""The offline ApplicationSet expansion follows Argo CD v3.5.1 (argoproj/argo-cd at that tag, files cited)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitops.argocd import gotemplate, pathmatch
from gitops.argocd.applicationset import ExpansionError, expand


def appset(generators: list, template_name: str = "{{.path.basename}}", **spec) -> dict:
    return {
        "metadata": {"name": "s", "namespace": "argocd"},
        "spec": {
            "goTemplate": True,
            "goTemplateOptions": ["missingkey=error"],
            "generators": generators,
            "template": {
                "metadata": {"name": template_name},
                "spec": {"project": "p", "source": {"path": "{{.path.path}}"}},
            },
            **spec,
        },
    }


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    for d in ("apps/a", "apps/b", "apps/b/nested", "apps/.hidden", "apps/skip", "other/c"):
        (tmp_path / d).mkdir(parents=True)
    return tmp_path


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("apps/*", "apps/a", True),
        ("apps/*", "apps/a/b", False),  # `*` never crosses `/`
        ("apps/**", "apps/a/b", False),  # no recursive `**` in path.Match
        ("apps/*/*", "apps/a/b", True),
        ("/apps/*", "apps/a", False),  # a leading slash matches nothing
        ("apps/[ab]", "apps/b", True),
    ],
)
def test_directory_patterns_match_as_go_path_match(pattern, path, matches):
    """applicationset/generators/git.go filterApps uses Go's path.Match."""
    assert pathmatch.match(pattern, path) is matches


def test_git_directories_skip_hidden_ones_and_exclusions_win(tree):
    """reposerver/repository/repository.go GetGitDirectories skips hidden directories; git.go: exclude wins."""
    gen = [
        {
            "git": {
                "repoURL": "r",
                "revision": "main",
                "directories": [{"path": "apps/*"}, {"path": "apps/skip", "exclude": True}],
            }
        }
    ]
    assert [a["metadata"]["name"] for a in expand(appset(gen), tree)] == ["a", "b"]


def test_a_matrix_templates_its_second_generator_with_the_first(tree):
    """applicationset/generators/matrix.go: child 2 is interpolated with each parameter set of child 1."""
    gen = [
        {
            "matrix": {
                "generators": [
                    {"list": {"elements": [{"env": "apps"}]}},
                    {"git": {"repoURL": "r", "revision": "main", "directories": [{"path": "{{.env}}/*"}]}},
                ]
            }
        }
    ]
    apps = expand(appset(gen, template_name="{{.env}}-{{.path.basename}}"), tree)
    assert [a["metadata"]["name"] for a in apps] == ["apps-a", "apps-b", "apps-skip"]


def test_in_a_matrix_the_first_generator_wins_a_conflict(tree):
    """matrix.go: mergo.Merge(tmp, b) then mergo.Merge(tmp, a, WithOverride): child 1's value wins."""
    gen = [
        {
            "matrix": {
                "generators": [
                    {"list": {"elements": [{"k": "first", "path": {"path": "x", "basename": "x"}}]}},
                    {"list": {"elements": [{"k": "second", "b": "2"}]}},
                ]
            }
        }
    ]
    (app,) = expand(appset(gen, template_name="{{.k}}-{{.b}}"), tree)
    assert app["metadata"]["name"] == "first-2"


def test_template_patch_applies_but_never_moves_the_project(tree):
    """applicationset/controllers/template/patch.go: the patch is applied, then spec.project is restored."""
    gen = [
        {
            "list": {
                "elements": [
                    {"path": {"path": "x", "basename": "x"}, "auto": True},
                    {"path": {"path": "y", "basename": "y"}, "auto": False},
                ]
            }
        }
    ]
    patch = "{{- if .auto }}\nspec:\n  project: other\n  syncPolicy:\n    automated: {prune: true}\n{{- end }}\n"
    apps = expand(appset(gen, templatePatch=patch), tree)
    assert [(a["spec"]["project"], a["spec"].get("syncPolicy")) for a in apps] == [
        ("p", {"automated": {"prune": True}}),
        ("p", None),
    ]


def test_generated_applications_live_in_the_applicationset_namespace_with_the_finalizer(tree):
    """applicationset/controllers/template/template.go forces the namespace; utils.go adds the finalizer."""
    (app,) = expand(appset([{"list": {"elements": [{"path": {"path": "x", "basename": "x"}}]}}]), tree)
    assert app["metadata"] == {
        "name": "x",
        "namespace": "argocd",
        "finalizers": ["resources-finalizer.argocd.argoproj.io"],
    }


def test_two_applications_with_one_name_are_refused(tree):
    """applicationset_controller.go: "ApplicationSet <name> contains applications with duplicate name"."""
    gen = [{"list": {"elements": [{"path": {"path": "x", "basename": "x"}}, {"path": {"path": "y", "basename": "x"}}]}}]
    with pytest.raises(ExpansionError) as err:
        expand(appset(gen), tree)
    assert str(err.value) == "spec.template.metadata.name: generates two Applications named x"


@pytest.mark.parametrize(
    ("text", "params", "out"),
    [
        ("{{.a.b}}-{{.c}}", {"a": {"b": "x"}, "c": True}, "x-true"),
        ("{{if .on}}yes{{else}}no{{end}}", {"on": ""}, "no"),
        ("a\n  {{- if .on }}\nb\n{{- end }}", {"on": 1}, "a\nb"),
    ],
)
def test_go_template_fields_ifs_and_trims(text, params, out):
    """Go text/template: field access, truthiness (empty string false), `{{-` and `-}}` trim whitespace."""
    assert gotemplate.render(text, params) == out
