"""`scripts/diff`: the rendered, per-object difference between two environments or two commits.

scripts/diff staging prod                      every folder of staging against prod's: every difference
scripts/diff staging prod --model iris         one model's folder (what a promotion would change is
                                               scripts/promote <model> <from> <to> --dry-run)
scripts/diff dev --against origin/main         what this branch changes in dev (every folder)
... --format json | markdown                   for tools / for a PR comment
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gitops.core import layout
from gitops.core.git import GitError
from gitops.core.kustomize import RenderError
from gitops.diff import report
from gitops.diff.against import diff_against, diff_envs
from gitops.diff.objects import DiffError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/diff", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("env", choices=layout.ORDER, help="the environment on the left (old) side")
    parser.add_argument("other", nargs="?", choices=layout.ORDER, help="the environment on the right (new) side")
    parser.add_argument("--model", help="only this model's folder (default: every folder of the environment)")
    parser.add_argument("--against", metavar="GIT_REF", help="compare ENV in the working tree with ENV at this ref")
    parser.add_argument("--format", choices=report.FORMATS, default="text")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="repository root (default: current directory)")
    args = parser.parse_args(argv)
    if bool(args.other) == bool(args.against):
        parser.error("give either a second environment or --against GIT_REF")
    if problem := layout.root_problem(args.root):
        print(f"diff: {problem}", file=sys.stderr)
        return 2
    if args.model and args.model not in layout.models(args.root):
        parser.error(
            f"--model {args.model}: no such model under {layout.MODELS}/ ({', '.join(layout.models(args.root))})"
        )
    try:
        if args.against:
            diffs = diff_against(args.root, args.env, args.against, args.model)
        else:
            diffs = diff_envs(args.root, args.env, args.other, args.model)
    except (RenderError, GitError, DiffError) as err:
        print(f"diff: {err}", file=sys.stderr)
        return 1
    sys.stdout.write(report.render_all(diffs, args.format))
    return 0
