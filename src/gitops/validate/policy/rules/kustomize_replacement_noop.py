"""A `replacements:` target whose select matches no object is skipped by kustomize without a word."""

# kustomize v5.8.1 api/filters/replacement/replacement.go applyReplacement: each target's
# `select` (anchored regexes on the id, label and annotation selectors; api/types/selector.go)
# is tried on every object's current and previous ids, minus those `reject` matches; no match is
# no error. (A source that selects nothing, or a selected target without the field path and
# without `create`, is kustomize's own error: the render finding reports it.) Matched here
# against every object the render could hold at that point (kustomizations.py), so a target
# reported matches nothing in kustomize either.

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from gitops.core.findings import ERROR, Finding
from gitops.validate.policy.context import Overlay
from gitops.validate.policy.fields import as_dict, as_list
from gitops.validate.policy.kustomizations import Kustomization, Obj, load, selects, tree, universe

ID = "kustomize-replacement-noop"
DESCRIPTION = "every replacements: target selects some object of every render that includes it"
SEVERITY = ERROR
SCOPE = "repo"  # a Component's replacement is built by several overlays


def replacements(root: Path, k: Kustomization) -> Iterator[tuple[str, dict]]:
    """(field path, replacement) of k's inline replacements and of those in replacement files."""
    for i, entry in enumerate(map(as_dict, as_list(k.data.get("replacements")))):
        if "path" not in entry:
            yield f"replacements[{i}]", entry
            continue
        for doc in load(root / k.directory / str(entry["path"])):
            items = doc if isinstance(doc, list) else [doc]
            yield from ((f"replacements[{i}] ({entry['path']})", as_dict(r)) for r in items)


def matches(target: dict, candidates: list[Obj]) -> bool:
    select, rejects = as_dict(target.get("select")), [as_dict(r) for r in as_list(target.get("reject"))]
    for o in candidates:
        # A written object carries its original id, so a reject on it is certain; a rendered one
        # may have had another name when the replacement ran: only its select counts.
        if selects(select, o) and not (o.written and any(selects(r, o) for r in rejects)):
            return True
    return False


def check(overlay: Overlay) -> Iterable[Finding]:
    root = overlay.context.root
    missed: dict[tuple[str, str, int], list[str]] = {}
    selectors: dict[tuple[str, str, int], dict] = {}
    for source in overlay.renders:
        rendered = overlay.context.render(source)
        if not isinstance(rendered, list):
            continue
        ks = tree(root, source)
        candidates = universe(root, [rendered], [ks])
        for k in ks:
            for path, replacement in replacements(root, k):
                for j, target in enumerate(map(as_dict, as_list(replacement.get("targets")))):
                    key = (k.file, path, j)
                    selectors[key] = as_dict(target.get("select"))
                    if not matches(target, candidates):
                        missed.setdefault(key, []).append(source)
    for (file, path, j), sources in sorted(missed.items()):
        shown = ", ".join(f"{k}: {v}" for k, v in selectors[(file, path, j)].items())
        yield overlay.file_finding(
            file,
            f"{path}.targets[{j}].select",
            f"{{{shown}}} selects no object of the render of {', '.join(sources)}: kustomize skips the target "
            "without a word",
            "select the object by kind and name as written (regexes are anchored), or remove the target",
        )
