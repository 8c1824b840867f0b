"""AppProject matching as Argo CD v3.5.1 decides it (argoproj/argo-cd at v3.5.1, files cited per test).

The cases are those of pkg/apis/application/v1alpha1/types_test.go and of the research notes'
experiments with util/git/git.go NormalizeGitURL and gobwas/glob v0.2.3.
"""

from __future__ import annotations

import pytest

from gitops.argocd import glob
from gitops.argocd.project import destination_permitted, normalize_git_url, source_permitted

IN_CLUSTER = ("https://kubernetes.default.svc", "in-cluster")


@pytest.mark.parametrize(
    "url,normalized",
    [
        ("https://github.com/Org/Repo.git", "https://github.com/org/repo"),
        ("https://github.com/org/repo/", "https://github.com/org/repo/"),  # the trailing slash stays
        ("https://github.com/org/repo.git/", "https://github.com/org/repo.git/"),
        ("git@github.com:org/repo.git", "git@github.com/org/repo"),
        ("ssh://git@github.com/org/repo.git", "git@github.com/org/repo"),
        ("https://github.com/org/{a,b}", "https://github.com/org/%7Ba,b%7D"),  # url.String escapes braces
        ("https://{a,b}.example.com/x", ""),  # url.Parse fails: matches nothing
        ("ghcr.io/kserve/charts", "ghcr.io/kserve/charts"),
    ],
)
def test_urls_normalize_as_normalize_git_url_does(url, normalized):
    """util/git/git.go NormalizeGitURL: lowercase, SSH host:path, one .git, url.Parse/String."""
    assert normalize_git_url(url) == normalized


@pytest.mark.parametrize(
    "url,patterns,permitted",
    [
        ("https://github.com/org/app.git", ["https://github.com/Org/*"], True),
        ("https://github.com/org/group/app", ["https://github.com/org/*"], False),  # * stops at /
        ("https://github.com/org/group/app", ["https://github.com/org/**"], True),
        ("https://github.com/argoproj1/test2", ["!https://github.com/argoproj/*.git", "*"], True),
        ("https://github.com/argoproj/test2", ["!https://github.com/argoproj/*.git", "*"], False),
        ("https://github.com/org/b", ["https://github.com/org/{a,b}"], False),  # braces escaped away
        ("https://github.com/org/x", ["!https://github.com/org/secret-*"], True),  # a deny that misses permits
    ],
)
def test_source_repos_match_as_is_source_permitted(url, patterns, permitted):
    """pkg/apis/application/v1alpha1/app_project_types.go IsSourcePermitted, globMatch with '/'."""
    assert source_permitted(url, patterns) is permitted


@pytest.mark.parametrize(
    "namespace,destinations,permitted",
    [
        ("test", [{"server": "*", "namespace": "test-*"}], False),
        ("test-a", [{"name": "in-cluster", "namespace": "test-*"}], True),  # the resolved cluster's name
        ("kube-system", [{"server": "*", "namespace": "*"}, {"server": "*", "namespace": "!kube-system"}], False),
        ("argocd", [{"server": "*", "namespace": "!{kube-system,argocd}"}], False),
        ("ml-dev", [{"server": "https://kubernetes.default.svc", "namespace": "ml-dev"}], True),
    ],
)
def test_destinations_match_as_is_destination_matched(namespace, destinations, permitted):
    """app_project_types.go isDestinationMatched: server or name of the resolved cluster, then namespace."""
    assert destination_permitted(*IN_CLUSTER, namespace, destinations) is permitted


def test_glob_syntax_is_gobwas_v0_2_3():
    """gobwas/glob v0.2.3 syntax/lexer/lexer.go and syntax/ast/parser.go: one range per bracket,
    `,` and `}` plain outside braces, an unclosed brace keeps its alternatives, a bad class fails."""
    assert glob.match("[a-c]x", "bx") and not glob.match("[!a-c]x", "bx")
    assert glob.compile("[a-z0-9]") is None and glob.compile("[]") is None and glob.compile("[ab") is None
    assert glob.match("a,b}", "a,b}") and glob.match("{a,b", "b")
    assert glob.match("a/*", "a/b/c") and not glob.match("a/*", "a/b/c", "/")
