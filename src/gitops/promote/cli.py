"""`scripts/promote <model> <from> <to>`: move a model's pin one environment up, by pull request.

    scripts/promote iris dev staging
    scripts/promote iris dev staging --dry-run    # the diff and the PR body; nothing is changed
    scripts/promote iris staging prod
    scripts/promote iris prod staging --force --reason "1.3.0 breaks the batch client"  # roll staging back
    scripts/promote iris prod prod --from-ref <commit> --force --reason "..."           # an earlier prod pin

Copies the pin in k8s/overlays/<from>/<model>/kustomization.yaml to <to>'s
folder of the model, and <from>'s `images:` (k8s/overlays/<from>/environment)
to <to> when they differ, once the registry shows <from> really serves the
pinned version (its alias, moved by its PostSync check, with the probe's
figures on the version). Renders and checks every folder that changes, then
commits on a new branch, pushes it and opens a pull request whose body links
the MLflow run and version, compares them with what <to> serves, and carries
the rendered diff.

Without GitHub (GITHUB_REPOSITORY and GITHUB_TOKEN unset) the branch goes to
--remote, by default the demo's .local/remote.git, where `make demo` keeps its
pins, and promote prints the command that merges it.

Exit 0 done; 1 refused or failed, nothing changed; 2 bad arguments, or a registry that refuses promote
(its URI or credentials); 130 Ctrl-C, nothing changed.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
from pathlib import Path

from gitops.core import layout
from gitops.core.git import GitError
from gitops.diff import report
from gitops.promote import gate
from gitops.promote.promotion import (
    Check,
    Refusal,
    Request,
    open_promotion,
    plan_promotion,
    preview_promotion,
    refuse_order,
    review,
)
from gitops.promote.workspace import DEMO_REGISTRY, DEMO_REMOTE, WorkspaceError, open_workspace
from gitops.validate.run import check_rendered
from mlpipeline.errors import EXIT_INTERRUPTED
from mlpipeline.github import GitHubError
from mlpipeline.pullrequests import PullRequests


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="scripts/promote", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("model", help="a model declared under k8s/models/")
    parser.add_argument("source", choices=layout.ORDER, metavar="from", help=f"one of {', '.join(layout.ORDER)}")
    parser.add_argument("target", choices=layout.ORDER, metavar="to", help=f"one of {', '.join(layout.ORDER)}")
    parser.add_argument(
        "--force",
        action="store_true",
        help="allow skipping, going back, --from-ref or a failed registry gate (needs --reason; all recorded)",
    )
    parser.add_argument("--reason", default="", help="why the order or the gate is bypassed; goes into the commit")
    parser.add_argument(
        "--from-ref", default="", metavar="GIT_REF", help="read <from>'s pin and images at this ref (rollback)"
    )
    parser.add_argument("--base", default="", help="the pull request's base branch (default: the current branch)")
    parser.add_argument(
        "--remote",
        default="",
        help=f"where the branch is pushed: a remote of this checkout, or a repository path or URL, which is "
        f"then cloned and promoted in (default: origin with GitHub, {DEMO_REMOTE} without)",
    )
    parser.add_argument(
        "--tracking-uri",
        default=os.environ.get("MLFLOW_TRACKING_URI", ""),
        help=f"the MLflow registry the gate reads (default: MLFLOW_TRACKING_URI; {DEMO_REGISTRY} with the demo's "
        "remote)",
    )
    parser.add_argument(
        "--dry-run", action="store_true", help="print the rendered diff and the PR body; change nothing"
    )
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="repository root (default: current directory)")
    args = parser.parse_args(argv)
    if args.force and not args.reason.strip():
        parser.error('--force needs --reason "<why>": the reason goes into the commit')
    return args


def main(argv: list[str] | None = None, prs: PullRequests | None = None, check: Check | None = None) -> int:
    try:
        return _main(argv, prs, check)
    except KeyboardInterrupt:
        # open_promotion undoes its branch, commit and push on any exception, this one included, and the
        # workspace it cloned is removed on the way out: what is left is what was there before.
        print(
            "promote: interrupted (Ctrl-C) before it finished; nothing was changed: a branch, commit or push it "
            "had made was undone (fix: run it again)",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED


def _main(argv: list[str] | None, prs: PullRequests | None, check: Check | None) -> int:
    args = parse_args(argv)
    if problem := layout.root_problem(args.root):
        print(f"promote: {problem}", file=sys.stderr)
        return 2
    github = prs is not None or bool(os.environ.get("GITHUB_TOKEN") and os.environ.get("GITHUB_REPOSITORY"))
    remote = args.remote or ("origin" if github else str(DEMO_REMOTE))
    try:
        refuse_order(Request(args.model, args.source, args.target, args.force, args.reason, args.from_ref))
        workspace = open_workspace(args.root, remote, args.base)
    except Refusal as err:
        print(f"promote: {err}", file=sys.stderr)
        return 1
    except WorkspaceError as err:
        message = str(err)
        if not args.remote and not github:
            message = (
                f"--remote {DEMO_REMOTE}: without GitHub (GITHUB_REPOSITORY and GITHUB_TOKEN unset) the branch goes "
                f"to the demo's remote, and there is none in {args.root} (fix: run make demo first, which creates "
                "it; or export GITHUB_REPOSITORY and GITHUB_TOKEN; or pass --remote <remote name, path or URL>)"
            )
        print(f"promote: {message}", file=sys.stderr)
        return 1
    try:
        return _promote(args, workspace, github, prs, check)
    finally:
        workspace.close()


def _promote(args, workspace, github: bool, prs: PullRequests | None, check: Check | None) -> int:
    request = Request(
        args.model,
        args.source,
        args.target,
        args.force,
        args.reason,
        args.from_ref,
        args.base,
        workspace.remote,
    )
    tracking_uri = args.tracking_uri
    if not tracking_uri and workspace.local_repository == (args.root / DEMO_REMOTE).resolve():
        tracking_uri = f"sqlite:///{(args.root / DEMO_REGISTRY).resolve()}"  # the demo's registry, beside its remote
    try:
        plan = plan_promotion(workspace.root, request)
        if not tracking_uri:
            raise Refusal(
                "MLFLOW_TRACKING_URI: not set: the gate reads what the source environment was seen serving "
                f"(fix: export MLFLOW_TRACKING_URI or pass --tracking-uri; {gate.FORCE})"
            )
        seen = review(gate.Registry(tracking_uri), request, plan)
        if check is None:  # the validator's verdict on the promoted render, as CI gives it, for the platform
            # the remote deploys to: the demo's serves its own file:// pins (policy/serving-storage.yaml)
            check = functools.partial(check_rendered, repo=args.root.resolve(), platform=workspace.platform)
        if args.dry_run:
            preview = preview_promotion(workspace.root, request, plan, check, seen)
            print("promote: dry run: nothing was changed. The rendered diff:")
            for diff in preview.diffs:
                print(report.as_text(diff), end="")
            print(f"\nThe pull request it would open:\n\n# {preview.subject}\n\n{preview.body}")
            return 0
        if prs is None and github:
            from mlpipeline.github import GitHubPullRequests

            prs = GitHubPullRequests.from_env()
        result = open_promotion(workspace.root, request, plan, prs, check, seen)
    except Refusal as err:
        if args.dry_run:  # the preview shows everything: each finding of a failed validation, then the refusal
            for finding in err.findings:
                print(finding)
        print(f"promote: {err}", file=sys.stderr)
        return err.exit_code
    except GitError as err:  # open_promotion undid its branch, commit and push before this
        # git's first line carries the cause: for a refused push, the server's own words (its policy).
        if err.fix:
            fix = f"{err.fix}, then promote again"
        elif str(err).startswith("git push"):
            fix = f"check that you may push to {workspace.shown} and that git reaches it, then promote again"
        else:
            fix = "fix what git names, then promote again"
        print(f"promote: --remote {workspace.shown}: {err}; nothing was changed (fix: {fix})", file=sys.stderr)
        return 1
    except GitHubError as err:  # the pushed branch was deleted again
        print(
            f"promote: GitHub: opening the pull request failed: {err}; nothing was changed (fix: check that "
            "GITHUB_TOKEN may create pull requests on GITHUB_REPOSITORY, then promote again)",
            file=sys.stderr,
        )
        return 1
    except Exception as err:  # noqa: BLE001 - not a cause we know: a bug, still one line, nothing left half-done
        first = (str(err).strip().splitlines() or [""])[0][:300]
        print(
            f"promote: {type(err).__name__}: {first}; nothing was changed (fix: this is a bug in promote, not in "
            "its inputs: report this line)",
            file=sys.stderr,
        )
        return 1
    if result.pull_request is not None:
        print(f"promote: opened {result.pull_request.url} (branch {result.branch}, commit {result.commit[:12]})")
    else:
        print(
            f"promote: pushed {result.branch} (commit {result.commit[:12]}) to {workspace.shown}; no GitHub, so no "
            f"pull request. Review it, then merge it with:\n  {workspace.merge_command(result.branch, result.base)}"
        )
    for diff in result.diffs:
        print(report.as_text(diff), end="")
    return 0
