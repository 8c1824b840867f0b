"""The pull-request job's comment: the rendered diff of every deployed folder the PR touches, against its base.

    python -m gitops.diff.prcomment --pr 42 --base origin/main           # post or update the comment
    python -m gitops.diff.prcomment --pr 42 --base origin/main --dry-run # print it instead

One comment per PR, found again by a hidden marker and edited in place on
every push, so the thread never fills up with stale diffs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gitops.core import dependencies, layout
from gitops.core.git import Git, GitError
from gitops.core.kustomize import RenderError
from gitops.diff import report as diffreport
from gitops.diff.against import render, snapshot
from gitops.diff.objects import DiffError, diff_renders
from mlpipeline.pullrequests import PullRequests

MARKER = "<!-- iris-gitops:rendered-diff -->"
# GitHub rejects comments over 65,536 characters; leave room for the note.
COMMENT_LIMIT = 60_000


def touched_folders(root: Path, paths: list[str], base_root: Path | None = None) -> list[Path]:
    """The deployable folders (k8s/overlays/<env>/<folder>) whose render a change to `paths` can alter,
    environment by environment in promotion order: found from what each kustomization reads, in the
    PR's tree and, for folders the PR deletes or moves, in the base's."""
    found: set[Path] = set()
    for tree in (root, base_root) if base_root else (root,):
        for env in layout.ORDER:
            found |= {f for f in layout.deployable(tree, env) if dependencies.touches(tree, f, paths)}
    return sorted(found, key=lambda f: (layout.ORDER.index(f.parts[2]), f.name))


def comment_body(root: Path, base: str, folders: list[Path]) -> tuple[str, bool]:
    """The Markdown comment, and whether every folder rendered."""
    sections, ok = [], True
    try:
        with snapshot(root, base) as old:
            for folder in folders:
                try:
                    diff = diff_renders(render(old, folder, f"{folder}@{base}"), render(root, folder))
                    sections.append(diffreport.as_markdown(diff))
                except (RenderError, DiffError) as err:
                    ok = False
                    sections.append(f"#### `{folder}`\n\n**render failed:** {diffreport.code(str(err))}\n")
    except GitError as err:
        ok = False
        sections.append(f"**cannot export `{base}`:** {diffreport.code(str(err))}\n")
    head = f"{MARKER}\n### Rendered diff against `{base}`\n\n"
    if not folders:
        return head + "This pull request changes no deployed folder.\n", ok
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
        changed = Git(args.root).changed_paths(args.base)
        with snapshot(args.root, args.base) as old:
            folders = touched_folders(args.root, changed, old)
    except GitError as err:
        print(
            f"prcomment: {err} (fix: fetch the base with full history: actions/checkout fetch-depth: 0)",
            file=sys.stderr,
        )
        return 1
    body, ok = comment_body(args.root, args.base, folders)
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
