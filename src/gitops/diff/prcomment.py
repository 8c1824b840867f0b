"""The pull-request job's comment: the rendered diff of every overlay the PR touches, against its base.

    python -m gitops.diff.prcomment --pr 42 --base origin/main           # post or update the comment
    python -m gitops.diff.prcomment --pr 42 --base origin/main --dry-run # print it instead

One comment per PR, found again by a hidden marker and edited in place on
every push, so the thread never fills up with stale diffs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path, PurePosixPath

from gitops.core import environments
from gitops.core.git import Git, GitError
from gitops.core.kustomize import RenderError
from gitops.diff import report as diffreport
from gitops.diff.against import diff_against
from gitops.diff.objects import DiffError
from mlpipeline.pullrequests import PullRequests

MARKER = "<!-- iris-gitops:rendered-diff -->"
# GitHub rejects comments over 65,536 characters; leave room for the note.
COMMENT_LIMIT = 60_000


def touched_overlays(paths: list[str]) -> list[str]:
    """Environments whose render a change to `paths` can alter, in promotion order.

    A file inside an overlay touches that overlay; any other file under k8s/
    (base, components) is shared, so it touches every overlay.
    """
    touched: set[str] = set()
    for path in map(PurePosixPath, paths):
        parts = path.parts
        if parts[:2] == environments.OVERLAYS.parts and len(parts) > 3 and parts[2] in environments.ORDER:
            touched.add(parts[2])
        elif parts[:1] == ("k8s",):
            touched.update(environments.ORDER)
    return [env for env in environments.ORDER if env in touched]


def comment_body(root: Path, base: str, envs: list[str]) -> tuple[str, bool]:
    """The Markdown comment, and whether every overlay rendered."""
    sections, ok = [], True
    for env in envs:
        try:
            sections.append(diffreport.as_markdown(diff_against(root, env, base)))
        except (RenderError, GitError, DiffError) as err:
            ok = False
            sections.append(f"#### `{environments.overlay(env)}`\n\n**render failed:** {diffreport.code(str(err))}\n")
    head = f"{MARKER}\n### Rendered diff against `{base}`\n\n"
    if not envs:
        return head + "This pull request changes no overlay.\n", ok
    body = head + "\n".join(sections)
    if len(body) > COMMENT_LIMIT:
        body = (
            body[:COMMENT_LIMIT]
            + "\n\n… cut to fit a comment; run `scripts/diff <env> --against "
            + base
            + "` for all of it.\n"
        )
    return body, ok


def main(argv: list[str] | None = None, prs: PullRequests | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m gitops.diff.prcomment",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--pr", type=int, required=True, help="pull request number")
    parser.add_argument("--base", required=True, metavar="GIT_REF", help="the PR's base, e.g. origin/main")
    parser.add_argument("--root", type=Path, default=Path.cwd())
    parser.add_argument("--dry-run", action="store_true", help="print the comment instead of posting it")
    args = parser.parse_args(argv)
    try:
        envs = touched_overlays(Git(args.root).changed_paths(args.base))
    except GitError as err:
        print(
            f"prcomment: {err} (fix: fetch the base with full history: actions/checkout fetch-depth: 0)",
            file=sys.stderr,
        )
        return 1
    body, ok = comment_body(args.root, args.base, envs)
    if args.dry_run:
        sys.stdout.write(body)
    else:
        if prs is None:
            from mlpipeline.github import GitHubPullRequests

            prs = GitHubPullRequests.from_env()
        print(f"prcomment: {prs.upsert_comment(number=args.pr, marker=MARKER, body=body)}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
