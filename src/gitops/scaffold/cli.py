"""`scripts/new-model NAME`: add a model: its declaration, its Python spec and one folder per environment.

    scripts/new-model breast-cancer --dataset breast_cancer
    make validate && git add -A && git commit -m "Add the breast-cancer model"
    make demo MODEL=breast-cancer

Writes nothing when it refuses (exit 1: the name is taken or invalid); writes
every file or none. Argo CD's ApplicationSet finds the new folders by itself.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gitops.scaffold import templates
from gitops.scaffold.model import DATASETS, NewModel, ScaffoldError, check
from mlpipeline.atomicfile import write_atomic


def write(repo: Path, model: NewModel) -> list[Path]:
    """Every file of the new model, or (on any failure) none of them."""
    check(repo, model)
    texts = templates.texts(model)
    written: list[Path] = []
    try:
        for path, text in texts.items():
            write_atomic(repo / path, text)
            written.append(path)
    except BaseException:
        for path in written:
            (repo / path).unlink(missing_ok=True)
        raise
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="scripts/new-model", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("name", help="the model's name: lowercase letters, digits, dashes")
    parser.add_argument("--dataset", help=f"scikit-learn data set, one of {', '.join(DATASETS)} (default: the name)")
    parser.add_argument("--drift-schedule", default="0 5 * * *", help="the daily drift check, cron in UTC")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="repository root (default: current directory)")
    args = parser.parse_args(argv)
    model = NewModel(args.name, args.dataset or args.name.replace("-", "_"), args.drift_schedule)
    try:
        written = write(args.root, model)
    except ScaffoldError as err:
        print(f"new-model: {err}", file=sys.stderr)
        return 1
    roles = model.files()
    print(f"new-model: {model.name}, {len(written)} files:")
    for path in written:
        print(f"  {path}  ({roles[path]})")
    print(f"next: make validate, commit, then make demo MODEL={model.name}")
    return 0
