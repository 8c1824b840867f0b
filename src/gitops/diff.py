"""`scripts/diff`: the rendered, per-object difference between two environments or two commits.

    scripts/diff staging prod               what promoting staging to prod would change
    scripts/diff dev --against origin/main  what this branch changes in dev
    ... --format json | markdown            for tools / for a PR comment
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from gitops import diffreport, environments
from gitops.gitrepo import Git, GitError
from gitops.objectdiff import DiffError, RenderDiff, diff_renders
from gitops.render import Rendered, RenderError, build


def render_env(root: Path, env: str) -> Rendered:
    """An environment's overlay as it is in the working tree."""
    return build(root / environments.overlay(env), root=root)


def render_env_at(root: Path, env: str, ref: str) -> Rendered:
    """An environment's overlay as it was at `ref`, rendered from an exported copy of that commit.

    The whole tree is exported, not just the overlay: it refers to ../../base
    and components, which must come from the same commit.
    """
    with tempfile.TemporaryDirectory(prefix="gitops-diff-") as tmp:
        Git(root).export(ref, Path(tmp))
        overlay = Path(tmp) / environments.overlay(env)
        if not overlay.is_dir():
            # An overlay the ref does not have renders as nothing: every object is "added".
            return Rendered(source=f"{environments.overlay(env)}@{ref}", text="")
        rendered = build(overlay, root=Path(tmp))
    return Rendered(source=f"{rendered.source}@{ref}", text=rendered.text)


def diff_envs(root: Path, left: str, right: str) -> RenderDiff:
    return diff_renders(render_env(root, left), render_env(root, right), compare_namespace=False)


def diff_against(root: Path, env: str, ref: str) -> RenderDiff:
    return diff_renders(render_env_at(root, env, ref), render_env(root, env), compare_namespace=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="scripts/diff", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("env", choices=environments.ORDER, help="the environment on the left (old) side")
    parser.add_argument("other", nargs="?", choices=environments.ORDER, help="the environment on the right (new) side")
    parser.add_argument("--against", metavar="GIT_REF", help="compare ENV in the working tree with ENV at this ref")
    parser.add_argument("--format", choices=diffreport.FORMATS, default="text")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="repository root (default: current directory)")
    args = parser.parse_args(argv)
    if bool(args.other) == bool(args.against):
        parser.error("give either a second environment or --against GIT_REF")
    try:
        if args.against:
            result = diff_against(args.root, args.env, args.against)
        else:
            result = diff_envs(args.root, args.env, args.other)
    except (RenderError, GitError, DiffError) as err:
        print(f"diff: {err}", file=sys.stderr)
        return 1
    sys.stdout.write(diffreport.render(result, args.format))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
