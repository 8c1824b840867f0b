"""`scripts/promote <model> <from> <to>`: move a model's pin one environment up, by pull request.

    scripts/promote iris dev staging
    scripts/promote iris staging prod
    scripts/promote iris prod staging --force --reason "1.3.0 breaks the batch client"  # roll staging back
    scripts/promote iris prod prod --from-ref <commit> --force --reason "..."           # an earlier prod pin

Copies the pin in k8s/overlays/<from>/<model>/kustomization.yaml to <to>'s
folder of the model, and <from>'s `images:` (k8s/overlays/<from>/environment)
to <to> when they differ, renders and checks every folder that changes, then
commits on a new branch, pushes it and opens a pull request whose body
carries the rendered diff. Refusals exit 1 and change nothing.
"""

from __future__ import annotations

import argparse
import functools
import sys
from pathlib import Path

from gitops.core import layout
from gitops.diff import report
from gitops.promote.promotion import Check, Refusal, Request, open_promotion, plan_promotion
from gitops.validate.run import check_rendered
from mlpipeline.pullrequests import PullRequests


def main(argv: list[str] | None = None, prs: PullRequests | None = None, check: Check | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/promote", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("model", help="a model declared under k8s/models/")
    parser.add_argument("source", choices=layout.ORDER, metavar="from", help=f"one of {', '.join(layout.ORDER)}")
    parser.add_argument("target", choices=layout.ORDER, metavar="to", help=f"one of {', '.join(layout.ORDER)}")
    parser.add_argument(
        "--force", action="store_true", help="allow skipping, going back or --from-ref (needs --reason)"
    )
    parser.add_argument("--reason", default="", help="why the order is broken; goes into the commit message")
    parser.add_argument(
        "--from-ref", default="", metavar="GIT_REF", help="read <from>'s pin and images at this ref (rollback)"
    )
    parser.add_argument("--base", default="", help="the pull request's base branch (default: the current branch)")
    parser.add_argument("--remote", default="origin", help="where the promotion branch is pushed")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="repository root (default: current directory)")
    args = parser.parse_args(argv)
    if args.force and not args.reason.strip():
        parser.error('--force needs --reason "<why>": the reason goes into the commit')
    request = Request(
        args.model, args.source, args.target, args.force, args.reason, args.from_ref, args.base, args.remote
    )
    try:
        plan = plan_promotion(args.root, request)
        if prs is None:
            from mlpipeline.github import GitHubPullRequests

            prs = GitHubPullRequests.from_env()
        if check is None:  # the validator's verdict on the promoted render, as CI would give it
            check = functools.partial(check_rendered, repo=args.root.resolve())
        result = open_promotion(args.root, request, plan, prs, check)
    except Refusal as err:
        print(f"promote: {err}", file=sys.stderr)
        return 1
    except Exception as err:  # git, GitHub or kustomize failed: one line, nothing left half-done
        print(f"promote: {type(err).__name__}: {err}", file=sys.stderr)
        return 1
    print(f"promote: opened {result.pull_request.url} (branch {result.branch}, commit {result.commit[:12]})")
    for diff in result.diffs:
        print(report.as_text(diff), end="")
    return 0
