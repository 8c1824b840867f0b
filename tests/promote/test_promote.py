"""scripts/promote on a real git repository: the happy path, every refusal, rollback, and undo."""

from __future__ import annotations

from pathlib import Path

import pytest

from gitops.promote import cli as promote
from gitops.promote.promotion import Check, no_checks
from mlpipeline.pullrequests import PullRequest
from tests.promote.repo import overlay_kustomization, pin
from tests.support.doubles import RecordingPullRequests
from tests.support.git import git, write

STAGING_KUSTOMIZATION_PROMOTED = """\
# staging: promoted by pull request
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: iris-staging  # one namespace per environment
resources:
  - ../../base
  - model-pin.yaml
configMapGenerator:
  - name: pipeline-config
    behavior: merge
    literals:
      - ENVIRONMENT=staging
images:
  # The step image; Renovate bumps dev, promotion carries it up.
  - name: ghcr.io/example-org/iris-steps
    newTag: "0.1.0"  # keep quoted: a tag is a string
"""


def run(root: Path, prs: RecordingPullRequests, *args: str, check: Check = no_checks) -> int:
    return promote.main([*args, "--root", str(root)], prs=prs, check=check)


def merge(root: Path, branch: str) -> None:
    """What a reviewer's merge does to main."""
    git(root, "merge", "-q", "--ff-only", branch)


def short_head(root: Path) -> str:
    return git(root, "rev-parse", "--short", "HEAD").strip()


def untouched(root: Path) -> bool:
    """Still on main, clean, and no promotion branch left behind (locally or pushed)."""
    return (
        git(root, "branch", "--show-current").strip() == "main"
        and git(root, "status", "--porcelain", "--untracked-files=all") == ""
        and git(root, "branch", "-a", "--format=%(refname:short)").split() == ["main", "origin/main"]
    )


def test_dev_to_staging_to_prod_opens_one_pull_request_per_step(repo, prs, capsys):
    base = short_head(repo)
    assert run(repo, prs, "dev", "staging") == 0
    branch = f"promote/staging/iris-v4-{base}"
    call, request = prs.calls[0]
    assert (call, request["head"], request["base"]) == ("open_pull_request", branch, "main")
    assert request["title"] == "Promote iris version 4 (semver 1.2.0) from dev to staging"
    assert request["body"].startswith(
        "Copies k8s/overlays/dev/model-pin.yaml and its images: to k8s/overlays/staging.\n"
        "\n"
        "Validation: passed (accuracy 0.97, f1Macro 0.96)\n"
        "Storage URI: s3://mlflow/1/models/m-4/artifacts\n"
        "Image: ghcr.io/example-org/iris-steps -> ghcr.io/example-org/iris-steps:0.1.0\n"
        "\n"
        "### Rendered diff of k8s/overlays/staging\n"
    )
    assert (
        "| changed | <code>ConfigMap/iris-staging/model-pin</code> | <code>data.modelVersion</code> | "
        '<code>"3"</code> | <code>"4"</code> |' in request["body"]
    )
    assert capsys.readouterr().out.startswith(f"promote: opened https://github.test/pulls/1 (branch {branch}, commit ")
    # The branch is pushed and main is left as it was, ready for the next command.
    assert git(repo, "ls-remote", "--heads", "origin", branch).strip().endswith(f"refs/heads/{branch}")
    assert git(repo, "branch", "--show-current").strip() == "main"
    assert git(repo, "status", "--porcelain") == ""

    merge(repo, branch)
    assert (repo / "k8s/overlays/staging/model-pin.yaml").read_text() == pin("4", "1.2.0", champion="3")
    assert (repo / "k8s/overlays/staging/kustomization.yaml").read_text() == STAGING_KUSTOMIZATION_PROMOTED

    base = short_head(repo)
    assert run(repo, prs, "staging", "prod") == 0
    assert prs.calls[1][1]["title"] == "Promote iris version 4 (semver 1.2.0) from staging to prod"
    merge(repo, f"promote/prod/iris-v4-{base}")
    assert (repo / "k8s/overlays/prod/model-pin.yaml").read_text() == pin("4", "1.2.0", champion="3")
    assert last_message(repo) == (
        "Promote iris version 4 (semver 1.2.0) from staging to prod\n"
        "\n"
        "Copies k8s/overlays/staging/model-pin.yaml and its images: to k8s/overlays/prod.\n"
        "\n"
        "Validation: passed (accuracy 0.97, f1Macro 0.96)\n"
        "Storage URI: s3://mlflow/1/models/m-4/artifacts\n"
        "Image: ghcr.io/example-org/iris-steps -> ghcr.io/example-org/iris-steps:0.1.0\n"
    )
    # Only the two promoted files change in a promotion commit.
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == [
        "k8s/overlays/prod/kustomization.yaml",
        "k8s/overlays/prod/model-pin.yaml",
    ]


def test_comments_and_key_order_in_the_edited_kustomization_survive(repo, prs):
    assert run(repo, prs, "dev", "staging") == 0
    edited = git(repo, "show", f"{prs.calls[0][1]['head']}:k8s/overlays/staging/kustomization.yaml")
    # Exactly one line differs from the original: the tag, still quoted, comment kept.
    assert edited == STAGING_KUSTOMIZATION_PROMOTED
    original = overlay_kustomization("staging", "0.0.9").splitlines()
    assert [(a, b) for a, b in zip(original, edited.splitlines(), strict=True) if a != b] == [
        (
            '    newTag: "0.0.9"  # keep quoted: a tag is a string',
            '    newTag: "0.1.0"  # keep quoted: a tag is a string',
        )
    ]


def last_message(root: Path) -> str:
    return git(root, "log", "-1", "--format=%B", "HEAD").rstrip("\n") + "\n"


def commit_all(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def failed_pin(root: Path) -> None:
    write(root, "k8s/overlays/dev/model-pin.yaml", pin("5", "1.3.0", passed="false"))
    commit_all(root, "pipeline: v5 failed validation")


def staging_already_runs_dev(root: Path) -> None:
    write(root, "k8s/overlays/staging/model-pin.yaml", pin("4", "1.2.0", champion="3"))
    write(root, "k8s/overlays/staging/kustomization.yaml", overlay_kustomization("staging", "0.1.0"))
    commit_all(root, "staging already promoted")


def dirty_tree(root: Path) -> None:
    write(root, "k8s/overlays/staging/model-pin.yaml", pin("9", "9.0.0"))
    write(root, "notes.txt", "scratch\n")


def nothing(root: Path) -> None:
    pass


REFUSALS = [
    pytest.param(
        failed_pin,
        ["dev", "staging"],
        'promote: k8s/overlays/dev/model-pin.yaml: data.validationPassed is "false", not "true": only a model that '
        "passed validation is promoted (fix: promote a version whose validate step passed; run the pipeline "
        "again if none has)\n",
        id="validation-failed",
    ),
    pytest.param(
        staging_already_runs_dev,
        ["dev", "staging"],
        "promote: k8s/overlays/staging/model-pin.yaml: staging already runs iris version 4 (semver 1.2.0) with "
        "the same "
        "images; nothing to promote (fix: none needed)\n",
        id="no-op-target-already-runs-it",
    ),
    pytest.param(
        dirty_tree,
        ["dev", "staging"],
        "promote: working tree: uncommitted changes in k8s/overlays/staging/model-pin.yaml, notes.txt "
        "(fix: commit or stash them first; a promotion commits only its own edits)\n",
        id="dirty-working-tree",
    ),
    pytest.param(
        nothing,
        ["dev", "prod"],
        "promote: dev -> prod: skips staging; promotions go dev -> staging -> prod "
        '(fix: promote dev -> staging first, or add --force --reason "<why>")\n',
        id="skips-staging",
    ),
    pytest.param(
        nothing,
        ["prod", "staging"],
        "promote: prod -> staging: goes backwards; promotions go dev -> staging -> prod "
        '(fix: to roll back on purpose, add --force --reason "<why>")\n',
        id="goes-backwards",
    ),
    pytest.param(
        nothing,
        ["prod", "prod", "--force", "--reason", "why not"],
        "promote: prod -> prod: source and target are the same overlay; promotions go dev -> staging -> prod "
        '(fix: to restore an earlier pin, add --from-ref <git-ref> --force --reason "<why>")\n',
        id="same-overlay",
    ),
    pytest.param(
        nothing,
        ["prod", "prod", "--from-ref", "HEAD"],
        "promote: --from-ref HEAD: promoting a pin from history bypasses the order dev -> staging -> prod "
        '(fix: add --force --reason "<why>")\n',
        id="from-ref-without-force",
    ),
]


@pytest.mark.parametrize(("setup", "args", "message"), REFUSALS)
def test_refusals_name_the_problem_and_change_nothing(repo, prs, capsys, setup, args, message):
    setup(repo)
    before = git(repo, "rev-parse", "HEAD")
    status = git(repo, "status", "--porcelain", "--untracked-files=all")
    assert run(repo, prs, *args) == 1
    assert capsys.readouterr().err == message
    assert prs.calls == []
    assert git(repo, "rev-parse", "HEAD") == before
    assert git(repo, "status", "--porcelain", "--untracked-files=all") == status
    assert git(repo, "branch", "--format=%(refname:short)").split() == ["main"]


def test_force_without_a_reason_is_a_usage_error(repo, prs, capsys):
    with pytest.raises(SystemExit) as exit_info:
        run(repo, prs, "dev", "prod", "--force")
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        'scripts/promote: error: --force needs --reason "<why>": the reason goes into the commit'
    )


def test_a_failing_validation_hook_leaves_nothing_half_written(repo, prs, capsys):
    def reject(rendered):
        return [f"{rendered.source}: Deployment/iris-staging/iris: image tag not allowed"]

    assert run(repo, prs, "dev", "staging", check=reject) == 1
    assert capsys.readouterr().err == (
        "promote: k8s/overlays/staging: the promoted result fails validation, nothing was changed:\n"
        "  k8s/overlays/staging: Deployment/iris-staging/iris: image tag not allowed\n"
    )
    assert prs.calls == []
    assert untouched(repo)


class FailingPullRequests(RecordingPullRequests):
    def open_pull_request(self, **request) -> PullRequest:
        raise RuntimeError("HTTP 422: A pull request already exists")


def test_a_failed_pull_request_removes_the_pushed_branch_too(repo, capsys):
    assert run(repo, FailingPullRequests(), "dev", "staging") == 1
    assert capsys.readouterr().err == "promote: RuntimeError: HTTP 422: A pull request already exists\n"
    assert untouched(repo)
    assert git(repo, "ls-remote", "--heads", "origin").count("refs/heads/") == 1


def test_rollback_promotes_the_previous_pin_with_force_and_a_reason(repo, prs):
    before_v4 = git(repo, "rev-parse", "--short", "HEAD").strip()
    for source, target in (("dev", "staging"), ("staging", "prod")):
        base = short_head(repo)
        assert run(repo, prs, source, target) == 0
        merge(repo, f"promote/{target}/iris-v4-{base}")
    assert 'modelVersion: "4"' in (repo / "k8s/overlays/prod/model-pin.yaml").read_text()

    base = short_head(repo)
    args = ["prod", "prod", "--from-ref", before_v4, "--force", "--reason", "v4 doubles p99 latency"]
    assert run(repo, prs, *args) == 0
    branch = f"promote/prod/iris-v3-{base}"
    assert prs.calls[-1][1]["title"] == f"Promote iris version 3 (semver 1.1.0) from prod@{before_v4} to prod (forced)"
    merge(repo, branch)
    assert (repo / "k8s/overlays/prod/model-pin.yaml").read_text() == pin("3", "1.1.0", champion="2")
    assert (repo / "k8s/overlays/prod/kustomization.yaml").read_text() == overlay_kustomization("prod", "0.0.9")
    message = last_message(repo)
    assert message.endswith(f"\nForced: promotes prod's pin as it was at {before_v4}\nReason: v4 doubles p99 latency\n")


def test_rolling_staging_back_to_prod_goes_backwards_with_force(repo, prs):
    base = short_head(repo)
    assert run(repo, prs, "dev", "staging") == 0
    merge(repo, f"promote/staging/iris-v4-{base}")
    base = short_head(repo)
    assert run(repo, prs, "prod", "staging", "--force", "--reason", "v4 breaks the batch client") == 0
    merge(repo, f"promote/staging/iris-v3-{base}")
    assert (repo / "k8s/overlays/staging/model-pin.yaml").read_text() == pin("3", "1.1.0", champion="2")
    assert last_message(repo).endswith("\nForced: goes backwards\nReason: v4 breaks the batch client\n")


def test_refusals_come_before_any_credential_is_needed(repo, capsys, monkeypatch):
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.delenv("GITHUB_REPOSITORY", raising=False)
    assert promote.main(["dev", "prod", "--root", str(repo)]) == 1
    assert capsys.readouterr().err.startswith("promote: dev -> prod: skips staging;")
    assert promote.main(["dev", "staging", "--root", str(repo)]) == 1
    assert capsys.readouterr().err == (
        "promote: GitHubError: GITHUB_REPOSITORY and GITHUB_TOKEN not set (fix: export them, or run inside "
        "GitHub Actions)\n"
    )
    assert untouched(repo)


def test_an_unquoted_numeric_tag_is_carried_as_written(repo, prs):
    dev = repo / "k8s/overlays/dev/kustomization.yaml"
    write(repo, "k8s/overlays/dev/kustomization.yaml", dev.read_text().replace('newTag: "0.1.0"', "newTag: 1.10"))
    commit_all(repo, "dev: a tag that looks like a number")
    assert run(repo, prs, "dev", "staging") == 0
    edited = git(repo, "show", f"{prs.calls[0][1]['head']}:k8s/overlays/staging/kustomization.yaml")
    # Quoted like the line it replaces; ruamel keeps the comment's column.
    assert '    newTag: "1.10"   # keep quoted: a tag is a string\n' in edited
