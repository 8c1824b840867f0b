"""A `patches:` entry that changes no object is dropped by kustomize without a word."""

# kustomize v5.8.1 api/internal/builtins/PatchTransformer.go: a patch whose `target`
# selects nothing is skipped silently (resmap Select returns an empty list), and a patch
# whose content the object already has changes nothing either; both leave the render as if
# the entry were not there. Detected the way kustomize would show it: the render built
# without the entry (core/variants.py, cached like every render) equals the real one.

from __future__ import annotations

import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

from gitops.core.findings import ERROR, Finding
from gitops.core.kustomize import RenderError
from gitops.validate.policy.context import Overlay
from gitops.validate.policy.fields import as_dict, as_list
from gitops.validate.policy.kustomizations import selects, tree, universe

ID = "kustomize-patch-noop"
DESCRIPTION = "every patches: entry changes some object of every render that includes it"
SEVERITY = ERROR
SCOPE = "repo"  # a Component's patch is built by several overlays


def describe(entry: dict) -> str:
    target = as_dict(entry.get("target"))
    what = ", ".join(f"{k}: {v}" for k, v in target.items()) if target else "no target"
    return f"{entry.get('path') or 'inline patch'} ({what})"


def check(overlay: Overlay) -> Iterable[Finding]:
    renders, root = overlay.context.renders, overlay.context.root
    tasks = []  # (kustomization, index, source, rendered text)
    for source in overlay.renders:
        result = renders.get(source)
        if isinstance(result, RenderError) or result.warnings:
            continue  # the render finding says why
        for k in tree(root, source):
            tasks += [(k, i, source, result.text) for i, _ in enumerate(as_list(k.data.get("patches")))]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        variants = list(pool.map(lambda t: renders.without(t[2], t[0].file, "patches", t[1]), tasks))
    unchanged: dict[tuple[str, int], list[str]] = {}
    kustomizations = {}
    for (k, i, source, text), variant in zip(tasks, variants, strict=True):
        kustomizations[k.file] = k
        if variant == text:
            unchanged.setdefault((k.file, i), []).append(source)
    for (file, i), sources in sorted(unchanged.items()):
        entry = as_dict(as_list(kustomizations[file].data.get("patches"))[i])
        target = as_dict(entry.get("target"))
        rendered = [r for r in map(overlay.context.render, sources) if isinstance(r, list)]
        candidates = universe(root, rendered, [tree(root, s) for s in sources])
        if target and not any(selects(target, o) for o in candidates):
            what, why = "selects no object of", "kustomize skips it without a word"
            fix = "make its target select the object it is meant for (kind, and name as written), or remove it"
        else:
            what, why = "changes nothing in", "the objects it selects already hold what it sets"
            fix = "remove it, or correct what it sets"
        yield overlay.file_finding(
            file,
            f"patches[{i}]",
            f"{describe(entry)} {what} the render of {', '.join(sources)}: {why}",
            fix,
        )
