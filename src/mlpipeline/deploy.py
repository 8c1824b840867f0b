"""deploy: the GitOps change. Write the version into dev's pin file on a branch and open a pull request.

Outputs: pin_changed (true/false), branch, pr_url (both empty when nothing changed).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from mlpipeline import cli, pin, registry
from mlpipeline.config import StepParser, add_registry_flags
from mlpipeline.errors import PermanentError, StepError, UsageError
from mlpipeline.github import GitHubError, GitHubPullRequests
from mlpipeline.gitrepo import Checkout
from mlpipeline.outputs import write_outputs
from mlpipeline.pullrequests import PullRequests, github_repo
from mlpipeline.version import SEMVER_TAG

STEP = "deploy"
log = logging.getLogger(__name__)


def parser() -> StepParser:
    p = StepParser(STEP, __doc__.splitlines()[0])
    add_registry_flags(p)
    p.flag("--model-version", "MODEL_VERSION", help="registry version to pin (train's output)")
    p.flag("--repo-url", "GIT_REPO_URL", help="the GitOps repository")
    p.flag("--base-branch", "GIT_BASE_BRANCH", default="main", help="branch the pull request targets")
    p.flag("--pin-file", "PIN_FILE", help=f"repo-relative pin file (default: {pin.PIN_PATH} for dev and the model)")
    p.flag(
        "--checkout-dir",
        "GIT_CHECKOUT_DIR",
        default="/tmp/checkout",
        help="working copy; cloned when absent, reused only when clean",
    )
    p.flag(
        "--pr-provider",
        "PR_PROVIDER",
        default="github",
        choices=("github", "none"),
        help="none: push the branch only (local runs)",
    )
    p.flag("--github-api-url", "GITHUB_API_URL", default="https://api.github.com")
    return p


def pin_for(client, name: str, version: str) -> pin.Pin:
    mv = registry.model_version(client, name, version)
    tags = mv.tags
    if SEMVER_TAG not in tags:
        raise PermanentError(
            f"--model-version {version}", "has no semver tag", f"run version on version {version} first"
        )
    return pin.Pin(
        modelName=name,
        modelVersion=str(mv.version),
        semver=tags[SEMVER_TAG],
        # Not mv.source: in MLflow 3 that is a models:/ URI, which KServe's
        # storage initializer cannot fetch; this is the artifact store location.
        storageUri=client.get_model_version_download_uri(name, str(mv.version)),
        runId=mv.run_id,
        validationPassed=tags.get("validation_passed", ""),
        accuracy=tags.get("accuracy", ""),
        f1Macro=tags.get("f1_macro", ""),
        championVersion=tags.get("champion_version", ""),
    )


def target_of(pin_file: str) -> str:
    """The environment whose pin is edited (k8s/overlays/<env>/<model>/...): a retrain from staging's drift
    check still enters at dev, and the pull request must say so."""
    parts = Path(pin_file).parts
    return parts[-3] if len(parts) >= 3 else pin_file


def commit_message(new: pin.Pin, environment: str) -> str:
    return (
        f"deploy: {new.modelName} v{new.modelVersion} ({new.semver}) to {environment}\n\n"
        f"MLflow run {new.runId}\n"
        f"holdout accuracy {new.accuracy}, macro F1 {new.f1Macro}, validation passed {new.validationPassed}, "
        f"champion version {new.championVersion or 'none'}\n"
        f"storage URI {new.storageUri}\n"
    )


def pull_requests_for(args) -> PullRequests | None:
    if args.pr_provider == "none":
        return None
    token = os.environ.get("GITHUB_TOKEN")
    if not token:
        raise PermanentError("GITHUB_TOKEN", "not set", "mount the git-credentials secret, or pass --pr-provider none")
    return GitHubPullRequests(github_repo(args.repo_url), token, args.github_api_url)


def open_pull_request(pulls: PullRequests | None, head: str, base: str, title: str, body: str) -> str:
    if pulls is None:
        return ""
    try:
        return pulls.open_pull_request(head=head, base=base, title=title, body=body).url
    except GitHubError as err:
        raise StepError(
            f"GitHub {getattr(pulls, 'repository', '?')}",
            f"opening the pull request failed: {err}",
            "check that GITHUB_TOKEN may create pull requests on the repository",
        ) from None


def main(argv: list[str] | None = None, pulls: PullRequests | None = None) -> None:
    args = parser().parse(argv, required=("--tracking-uri", "--model-name", "--model-version", "--repo-url"))
    pulls = pulls or pull_requests_for(args)
    new = pin_for(registry.connect(args.tracking_uri), args.model_name, args.model_version)

    checkout = Checkout(Path(args.checkout_dir), args.repo_url, args.base_branch, os.environ.get("GITHUB_TOKEN"))
    checkout.prepare()
    branch = f"deploy/{new.modelName}-v{new.modelVersion}"
    checkout.start_branch(branch)
    pin_file = args.pin_file or pin.PIN_PATH.format(environment="dev", model=args.model_name)
    pin_path = checkout.path / pin_file
    if not pin_path.is_file():
        checkout.abandon(branch)
        # Retrying never heals it: a usage error (exit 2), which the retry expression leaves alone.
        raise UsageError(
            f"--pin-file {pin_file}",
            f"not in {args.repo_url} at {args.base_branch}",
            f"add the model's folders first (scripts/new-model {args.model_name}), or fix the path",
        )
    current = pin.read(pin_path, pin_file)
    if current == new:
        checkout.abandon(branch)
        log.info("%s already pins version %s; nothing to do", pin_file, new.modelVersion)
        write_outputs(args.outputs_dir, {"pin_changed": False, "branch": "", "pr_url": ""}, {"pin": vars(new)})
        return
    if current and current.modelName == new.modelName and int(current.modelVersion) > int(new.modelVersion):
        checkout.abandon(branch)
        # Never heals by retrying (exit 2): a stale run, or a retrain that reused an older version.
        raise PermanentError(
            f"--model-version {new.modelVersion}",
            f"{pin_file} pins newer version {current.modelVersion}; the pipeline never moves it back",
            f"to serve version {new.modelVersion} again, roll back by pull request: scripts/promote "
            f"{new.modelName} {target_of(pin_file)} {target_of(pin_file)} --from-ref <commit> --force --reason ...",
        )

    pin.write(pin_path, new)
    checkout.commit_all([pin_file], commit_message(new, target_of(pin_file)))
    pushed = False
    try:
        checkout.push(branch)
        pushed = True
        title = f"deploy: {new.modelName} v{new.modelVersion} ({new.semver}) to {target_of(pin_file)}"
        pr_url = open_pull_request(pulls, branch, args.base_branch, title, commit_message(new, target_of(pin_file)))
    except BaseException:
        if pushed:
            checkout.delete_remote_branch(branch)
        checkout.abandon(branch)
        raise
    log.info("pushed %s%s", branch, f", pull request {pr_url}" if pr_url else "")
    write_outputs(args.outputs_dir, {"pin_changed": True, "branch": branch, "pr_url": pr_url}, {"pin": vars(new)})


if __name__ == "__main__":
    cli.main_for(STEP, main)
