"""scripts/promote on a real git repository: the happy path, every refusal, rollback, and undo."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from gitops.promote import cli as promote
from gitops.promote.promotion import Check, no_checks
from mlpipeline.github import GitHubError
from mlpipeline.pullrequests import PullRequest
from tests.promote.registry import seen_serving
from tests.promote.repo import environment, folder
from tests.support.doubles import RecordingPullRequests
from tests.support.git import git, write


@pytest.fixture(autouse=True)
def _registry(registry, monkeypatch):
    """The gate reads the registry that matches the repository's pins."""
    monkeypatch.setenv("MLFLOW_TRACKING_URI", registry)


def run(root: Path, prs: RecordingPullRequests, *args: str, check: Check = no_checks) -> int:
    return promote.main([*args, "--root", str(root)], prs=prs, check=check)


def merge(root: Path, branch: str) -> None:
    """What a reviewer's merge does to main, and what the environment's PostSync check records after the sync."""
    git(root, "merge", "-q", "--ff-only", branch)
    environment, model, version = re.fullmatch(r"promote/(\w+)/(\w+)-v(\d+)-\w+", branch).groups()
    seen_serving(os.environ["MLFLOW_TRACKING_URI"], model, environment, version)


def short_head(root: Path) -> str:
    return git(root, "rev-parse", "--short", "HEAD").strip()


def read(root: Path, path: str) -> str:
    return (root / path).read_text()


def untouched(root: Path) -> bool:
    """Still on main, clean, and no promotion branch left behind (locally or pushed)."""
    return (
        git(root, "branch", "--show-current").strip() == "main"
        and git(root, "status", "--porcelain", "--untracked-files=all") == ""
        and git(root, "branch", "-a", "--format=%(refname:short)").split() == ["main", "origin/main"]
    )


def registry_lines(environment: str, alias: str, version: str, model: str = "iris") -> str:
    """The commit body's registry block for the fixture registry (tests/promote/registry.py)."""
    from mlflow import MlflowClient

    uri = os.environ["MLFLOW_TRACKING_URI"]
    run_id = MlflowClient(uri).get_model_version(model, version).run_id
    return (
        f"Seen serving: alias {alias} at version {version}; {environment} since 2026-01-05T09:30:00Z: "
        "probe accuracy 0.9667, 12.3 ms\n"
        f"MLflow run: http://127.0.0.1:5000/#/experiments/1/runs/{run_id}\n"
        f"MLflow model version: http://127.0.0.1:5000/#/models/{model}/versions/{version}\n"
        f"(links: open after `.venv/bin/mlflow ui --backend-store-uri {uri}`)\n"
    )


def test_dev_to_staging_to_prod_opens_one_pull_request_per_step(repo, prs, capsys):
    base = short_head(repo)
    assert run(repo, prs, "iris", "dev", "staging") == 0
    branch = f"promote/staging/iris-v4-{base}"
    call, request = prs.calls[0]
    assert (call, request["head"], request["base"]) == ("open_pull_request", branch, "main")
    assert request["title"] == "Promote iris version 4 (semver 1.2.0) from dev to staging"
    assert request["body"].startswith(
        "Copies the pin of k8s/overlays/dev/iris/kustomization.yaml to k8s/overlays/staging/iris/kustomization.yaml.\n"
        "\n"
        "Validation: passed (accuracy 0.97, f1Macro 0.96)\n"
        "Storage URI: s3://mlflow/1/models/iris-4/artifacts\n"
        "\n" + registry_lines("dev", "dev", "4") + "\n"
        "Moves staging's images to dev's, for every model of staging:\n"
        "Image: ghcr.io/example-org/pipeline-steps -> ghcr.io/example-org/pipeline-steps:0.1.0\n"
        "\n"
        "### iris: the candidate and what staging serves\n"
    )
    body = request["body"]
    assert (
        "| changed | <code>ConfigMap/ml-staging/iris-model-pin</code> | <code>data.modelVersion</code> | "
        '<code>"3"</code> | <code>"4"</code> |' in body
    )
    # The images are the environment's: wine's folder in staging shows the new tag too.
    assert "#### `k8s/overlays/staging/wine@main` → `k8s/overlays/staging/wine@" in body
    assert capsys.readouterr().out.startswith(f"promote: opened https://github.test/pulls/1 (branch {branch}, commit ")
    # The branch is pushed and main is left as it was, ready for the next command.
    assert git(repo, "ls-remote", "--heads", "origin", branch).strip().endswith(f"refs/heads/{branch}")
    assert git(repo, "branch", "--show-current").strip() == "main"
    assert git(repo, "status", "--porcelain") == ""

    merge(repo, branch)
    assert read(repo, "k8s/overlays/staging/iris/kustomization.yaml") == folder(
        "staging", "iris", "4", "1.2.0", champion="3"
    )
    assert read(repo, "k8s/overlays/staging/environment/kustomization.yaml") == environment("staging", "0.1.0")
    assert read(repo, "k8s/overlays/staging/wine/kustomization.yaml") == folder("staging", "wine", "1", "1.0.0")

    base = short_head(repo)
    assert run(repo, prs, "iris", "staging", "prod") == 0
    assert prs.calls[1][1]["title"] == "Promote iris version 4 (semver 1.2.0) from staging to prod"
    merge(repo, f"promote/prod/iris-v4-{base}")
    assert read(repo, "k8s/overlays/prod/iris/kustomization.yaml") == folder("prod", "iris", "4", "1.2.0", champion="3")
    assert last_message(repo) == (
        "Promote iris version 4 (semver 1.2.0) from staging to prod\n"
        "\n"
        "Copies the pin of k8s/overlays/staging/iris/kustomization.yaml to k8s/overlays/prod/iris/kustomization.yaml.\n"
        "\n"
        "Validation: passed (accuracy 0.97, f1Macro 0.96)\n"
        "Storage URI: s3://mlflow/1/models/iris-4/artifacts\n"
        "\n" + registry_lines("staging", "staging", "4") + "\n"
        "Moves prod's images to staging's, for every model of prod:\n"
        "Image: ghcr.io/example-org/pipeline-steps -> ghcr.io/example-org/pipeline-steps:0.1.0\n"
    )
    # Only the promoted files change in a promotion commit.
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == [
        "k8s/overlays/prod/environment/kustomization.yaml",
        "k8s/overlays/prod/iris/kustomization.yaml",
    ]


def test_promoting_one_model_leaves_the_other_alone(repo, prs):
    git(repo, "switch", "-q", "-c", "tmp")
    write(repo, "k8s/overlays/staging/environment/kustomization.yaml", environment("staging", "0.1.0"))
    commit_all(repo, "staging already runs dev's images")
    base = short_head(repo)
    assert run(repo, prs, "wine", "dev", "staging", "--base", "tmp") == 0
    merge(repo, f"promote/staging/wine-v2-{base}")
    assert read(repo, "k8s/overlays/staging/wine/kustomization.yaml") == folder(
        "staging", "wine", "2", "1.1.0", champion="1"
    )
    assert read(repo, "k8s/overlays/staging/iris/kustomization.yaml") == folder(
        "staging", "iris", "3", "1.1.0", champion="2"
    )
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == [
        "k8s/overlays/staging/wine/kustomization.yaml"
    ]
    body = prs.calls[0][1]["body"]
    assert "k8s/overlays/staging/iris" not in body and "Moves" not in body


def test_comments_and_key_order_in_the_edited_files_survive(repo, prs):
    assert run(repo, prs, "iris", "dev", "staging") == 0
    head = prs.calls[0][1]["head"]
    edited = git(repo, "show", f"{head}:k8s/overlays/staging/environment/kustomization.yaml")
    # Exactly one line differs from the original: the tag, still quoted, comment kept.
    original = environment("staging", "0.0.9").splitlines()
    assert [(a, b) for a, b in zip(original, edited.splitlines(), strict=True) if a != b] == [
        (
            '    newTag: "0.0.9"  # keep quoted: a tag is a string',
            '    newTag: "0.1.0"  # keep quoted: a tag is a string',
        )
    ]
    pinned = git(repo, "show", f"{head}:k8s/overlays/staging/iris/kustomization.yaml")
    assert pinned.startswith("# iris in staging.\n")


def last_message(root: Path) -> str:
    return git(root, "log", "-1", "--format=%B", "HEAD").rstrip("\n") + "\n"


def commit_all(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def failed_pin(root: Path) -> None:
    write(root, "k8s/overlays/dev/iris/kustomization.yaml", folder("dev", "iris", "5", "1.3.0", passed="false"))
    commit_all(root, "pipeline: v5 failed validation")


def staging_already_runs_dev(root: Path) -> None:
    write(root, "k8s/overlays/staging/iris/kustomization.yaml", folder("staging", "iris", "4", "1.2.0", champion="3"))
    write(root, "k8s/overlays/staging/environment/kustomization.yaml", environment("staging", "0.1.0"))
    commit_all(root, "staging already promoted")


def dirty_tree(root: Path) -> None:
    write(root, "k8s/overlays/staging/iris/kustomization.yaml", folder("staging", "iris", "9", "9.0.0"))
    write(root, "notes.txt", "scratch\n")


def no_folder_in_prod(root: Path) -> None:
    git(root, "rm", "-q", "-r", "k8s/overlays/prod/wine")
    commit_all(root, "wine never went to prod")


def nothing(root: Path) -> None:
    pass


def broken_source_environment(root: Path) -> None:
    path = "k8s/overlays/dev/environment/kustomization.yaml"
    write(root, path, read(root, path).replace('newTag: "0.1.0"', "newTag: [0.1.0"))
    commit_all(root, "dev: a tag that is not YAML")


REFUSALS = [
    pytest.param(
        failed_pin,
        ["iris", "dev", "staging"],
        'promote: k8s/overlays/dev/iris/kustomization.yaml: validationPassed is "false", not "true": only a model '
        "that passed validation is promoted (fix: promote a version whose validate step passed; run the pipeline "
        "again if none has)\n",
        id="validation-failed",
    ),
    pytest.param(
        staging_already_runs_dev,
        ["iris", "dev", "staging"],
        "promote: k8s/overlays/staging/iris/kustomization.yaml: staging already runs iris version 4 (semver 1.2.0) "
        "with the same images; nothing to promote (fix: none needed)\n",
        id="no-op-target-already-runs-it",
    ),
    pytest.param(
        dirty_tree,
        ["iris", "dev", "staging"],
        "promote: working tree: uncommitted changes in k8s/overlays/staging/iris/kustomization.yaml, notes.txt "
        "(fix: commit or stash them first; a promotion commits only its own edits)\n",
        id="dirty-working-tree",
    ),
    pytest.param(
        nothing,
        ["iris", "dev", "prod"],
        "promote: dev -> prod: skips staging; promotions go dev -> staging -> prod "
        '(fix: promote dev -> staging first, or add --force --reason "<why>")\n',
        id="skips-staging",
    ),
    pytest.param(
        nothing,
        ["iris", "prod", "staging"],
        "promote: prod -> staging: goes backwards; promotions go dev -> staging -> prod "
        '(fix: to roll back on purpose, add --force --reason "<why>")\n',
        id="goes-backwards",
    ),
    pytest.param(
        nothing,
        ["iris", "prod", "prod", "--force", "--reason", "why not"],
        "promote: prod -> prod: source and target are the same environment; promotions go dev -> staging -> prod "
        '(fix: to restore an earlier pin, add --from-ref <git-ref> --force --reason "<why>")\n',
        id="same-environment",
    ),
    pytest.param(
        nothing,
        ["iris", "prod", "prod", "--from-ref", "HEAD"],
        "promote: --from-ref HEAD: promoting a pin from history bypasses the order dev -> staging -> prod "
        '(fix: add --force --reason "<why>")\n',
        id="from-ref-without-force",
    ),
    pytest.param(
        nothing,
        ["bert", "dev", "staging"],
        "promote: k8s/models/bert: no such model (declared: iris, wine) "
        "(fix: name a model under k8s/models/, or add one with scripts/new-model)\n",
        id="unknown-model",
    ),
    pytest.param(
        broken_source_environment,
        ["iris", "dev", "staging"],
        "promote: k8s/overlays/dev/environment/kustomization.yaml: not valid YAML: line 14 column 1: expected ',' or "
        "']', but got '<stream end>' (fix: close the [ list with ']' (or quote a value that starts with '['))\n",
        id="source-environment-not-yaml",
    ),
    pytest.param(
        no_folder_in_prod,
        ["wine", "staging", "prod"],
        "promote: k8s/overlays/prod/wine/kustomization.yaml: not found (fix: every model has a folder in each of "
        "dev -> staging -> prod; scripts/new-model adds them)\n",
        id="no-folder-in-the-target",
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
        run(repo, prs, "iris", "dev", "prod", "--force")
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        'scripts/promote: error: --force needs --reason "<why>": the reason goes into the commit'
    )


def test_a_failing_validation_hook_leaves_nothing_half_written(repo, prs, capsys):
    def reject(rendered):
        return [
            f"{rendered.source}: Deployment/ml-staging/iris-server: image tag not allowed",
            f"{rendered.source}: ConfigMap/ml-staging/iris-model-pin: data.semver missing",
        ]

    refusal = (
        "promote: k8s/overlays/staging/iris: the promoted result fails validation (2 findings; the first: "
        "k8s/overlays/staging/iris: Deployment/ml-staging/iris-server: image tag not allowed), nothing was changed "
        "(fix: correct it where it comes from, the source environment's pin or images, then promote again; the same "
        "command with --dry-run lists every finding)\n"
    )
    assert run(repo, prs, "iris", "dev", "staging", check=reject) == 1
    assert capsys.readouterr() == ("", refusal)
    assert run(repo, prs, "iris", "dev", "staging", "--dry-run", check=reject) == 1
    assert capsys.readouterr() == (
        "k8s/overlays/staging/iris: Deployment/ml-staging/iris-server: image tag not allowed\n"
        "k8s/overlays/staging/iris: ConfigMap/ml-staging/iris-model-pin: data.semver missing\n",
        refusal,
    )
    assert prs.calls == []
    assert untouched(repo)


class FailingPullRequests(RecordingPullRequests):
    def open_pull_request(self, **request) -> PullRequest:
        # What mlpipeline.github raises for GitHub's answer.
        raise GitHubError("POST /repos/example-org/gitops/pulls: HTTP 422: A pull request already exists", 422)


def test_a_failed_pull_request_removes_the_pushed_branch_too(repo, capsys):
    assert run(repo, FailingPullRequests(), "iris", "dev", "staging") == 1
    assert capsys.readouterr().err == (
        "promote: GitHub: opening the pull request failed: POST /repos/example-org/gitops/pulls: HTTP 422: A pull "
        "request already exists; nothing was changed (fix: check that GITHUB_TOKEN may create pull requests on "
        "GITHUB_REPOSITORY, then promote again)\n"
    )
    assert untouched(repo)
    assert git(repo, "ls-remote", "--heads", "origin").count("refs/heads/") == 1


def test_rollback_promotes_the_previous_pin_with_force_and_a_reason(repo, prs):
    before_v4 = git(repo, "rev-parse", "--short", "HEAD").strip()
    for source, target in (("dev", "staging"), ("staging", "prod")):
        base = short_head(repo)
        assert run(repo, prs, "iris", source, target) == 0
        merge(repo, f"promote/{target}/iris-v4-{base}")
    assert "modelVersion=4" in read(repo, "k8s/overlays/prod/iris/kustomization.yaml")

    base = short_head(repo)
    args = ["iris", "prod", "prod", "--from-ref", before_v4, "--force", "--reason", "v4 doubles p99 latency"]
    assert run(repo, prs, *args) == 0
    branch = f"promote/prod/iris-v3-{base}"
    assert prs.calls[-1][1]["title"] == f"Promote iris version 3 (semver 1.1.0) from prod@{before_v4} to prod (forced)"
    merge(repo, branch)
    assert read(repo, "k8s/overlays/prod/iris/kustomization.yaml") == folder("prod", "iris", "3", "1.1.0", champion="2")
    assert read(repo, "k8s/overlays/prod/environment/kustomization.yaml") == environment("prod", "0.0.9")
    message = last_message(repo)
    assert message.endswith(f"\nForced: promotes prod's pin as it was at {before_v4}\nReason: v4 doubles p99 latency\n")


def test_rolling_staging_back_to_prod_goes_backwards_with_force(repo, prs):
    base = short_head(repo)
    assert run(repo, prs, "iris", "dev", "staging") == 0
    merge(repo, f"promote/staging/iris-v4-{base}")
    base = short_head(repo)
    assert run(repo, prs, "iris", "prod", "staging", "--force", "--reason", "v4 breaks the batch client") == 0
    merge(repo, f"promote/staging/iris-v3-{base}")
    assert read(repo, "k8s/overlays/staging/iris/kustomization.yaml") == folder(
        "staging", "iris", "3", "1.1.0", champion="2"
    )
    assert last_message(repo).endswith("\nForced: goes backwards\nReason: v4 breaks the batch client\n")


def test_refusals_come_before_any_credential_is_needed(repo, capsys):
    assert promote.main(["iris", "dev", "prod", "--root", str(repo)]) == 1
    assert capsys.readouterr().err.startswith("promote: dev -> prod: skips staging;")
    # Without GitHub the branch goes to the demo's local remote, which this repository has not got.
    assert promote.main(["iris", "dev", "staging", "--root", str(repo)]) == 1
    assert capsys.readouterr().err == (
        "promote: --remote .local/remote.git: without GitHub (GITHUB_REPOSITORY and GITHUB_TOKEN unset) the branch "
        f"goes to the demo's remote, and there is none in {repo} (fix: run make demo first, which creates it; or "
        "export GITHUB_REPOSITORY and GITHUB_TOKEN; or pass --remote <remote name, path or URL>)\n"
    )
    assert untouched(repo)


def test_an_unquoted_numeric_tag_is_carried_as_written(repo, prs):
    dev = "k8s/overlays/dev/environment/kustomization.yaml"
    write(repo, dev, read(repo, dev).replace('newTag: "0.1.0"', "newTag: 1.10"))
    commit_all(repo, "dev: a tag that looks like a number")
    assert run(repo, prs, "iris", "dev", "staging") == 0
    edited = git(repo, "show", f"{prs.calls[0][1]['head']}:k8s/overlays/staging/environment/kustomization.yaml")
    # Quoted like the line it replaces; ruamel keeps the comment's column.
    assert '    newTag: "1.10"   # keep quoted: a tag is a string\n' in edited


def test_wine_goes_dev_to_staging_to_prod_and_rolls_back_like_iris(repo, prs):
    before = short_head(repo)
    for source, target in (("dev", "staging"), ("staging", "prod")):
        base = short_head(repo)
        assert run(repo, prs, "wine", source, target) == 0
        merge(repo, f"promote/{target}/wine-v2-{base}")
    assert read(repo, "k8s/overlays/prod/wine/kustomization.yaml") == folder("prod", "wine", "2", "1.1.0", champion="1")
    base = short_head(repo)
    args = ["wine", "prod", "prod", "--from-ref", before, "--force", "--reason", "v2 mislabels class_1"]
    assert run(repo, prs, *args) == 0
    merge(repo, f"promote/prod/wine-v1-{base}")
    assert read(repo, "k8s/overlays/prod/wine/kustomization.yaml") == folder("prod", "wine", "1", "1.0.0")
    # iris never moved.
    assert read(repo, "k8s/overlays/prod/iris/kustomization.yaml") == folder("prod", "iris", "3", "1.1.0", champion="2")


def test_a_target_folder_that_does_not_render_refuses_in_one_line_with_kustomizes_fix(repo, prs, capsys):
    target = "k8s/overlays/staging/iris/kustomization.yaml"
    write(repo, target, read(repo, target).replace("resources:\n", "resources:\n- missing.yaml\n", 1))
    git(repo, "commit", "-qam", "staging: a resource that is not there")
    assert run(repo, prs, "iris", "dev", "staging") == 1
    assert capsys.readouterr().err == (
        "promote: k8s/overlays/staging/iris: does not render before the promotion: resources: 'missing.yaml' does "
        "not exist; nothing was changed (fix: fix the path under resources:, relative to the kustomization)\n"
    )
    assert prs.calls == []
    assert untouched(repo)
