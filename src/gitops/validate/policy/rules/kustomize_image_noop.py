"""An `images:` entry whose name matches no container image is skipped by kustomize without a word."""

# kustomize v5.8.1 api/internal/builtins/ImageTagTransformer.go: the entry's name is matched as
# the regex ^name(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$ (api/internal/image/image.go
# IsImageMatched: no registry is implied, `nginx` does not match `docker.io/library/nginx`)
# against `image` in every containers/initContainers list at any depth of any kind but
# CustomResourceDefinition (api/filters/imagetag/legacy.go), and at the images fieldSpecs:
# the built-in ones (api/internal/konfig/builtinpluginconsts/images.go) and those of the
# render's `configurations:` files. No match is no error. Images are taken from every object
# the render could hold at that point (kustomizations.py) and every newName of its entries.

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from gitops.core.findings import ERROR, Finding
from gitops.validate.policy.context import Overlay
from gitops.validate.policy.fields import as_dict, as_list
from gitops.validate.policy.kustomizations import Kustomization, Obj, load, tree, universe

ID = "kustomize-image-noop"
DESCRIPTION = "every images: entry matches a container image of every render that includes it"
SEVERITY = ERROR
SCOPE = "repo"
BUILTIN_FIELD_SPECS = [
    {"path": p}
    for p in (
        "spec/containers[]/image",
        "spec/initContainers[]/image",
        "spec/template/spec/containers[]/image",
        "spec/template/spec/initContainers[]/image",
    )
]


def field_specs(root: Path, ks: list[Kustomization]) -> list[dict]:
    """The built-in image fieldSpecs and those of every `configurations:` file the render reads."""
    specs = list(BUILTIN_FIELD_SPECS)
    for k in ks:
        for name in as_list(k.data.get("configurations")):
            for doc in load(root / k.directory / str(name)):
                specs += [as_dict(s) for s in as_list(as_dict(doc).get("images"))]
    return specs


def _at(node: object, parts: list[str]) -> Iterator[object]:
    """fsslice semantics: `/`-separated fields; a list on the way is walked item by item."""
    if isinstance(node, list):
        for item in node:
            yield from _at(item, parts)
    elif not parts:
        yield node
    elif isinstance(node, dict) and parts[0] in node:
        yield from _at(node[parts[0]], parts[1:])


def _legacy(node: object) -> Iterator[object]:
    """legacy.go: `image` of each item of any containers/initContainers list, at any depth."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("containers", "initContainers") and isinstance(value, list):
                yield from (item.get("image") for item in value if isinstance(item, dict))
            yield from _legacy(value)
    elif isinstance(node, list):
        for item in node:
            yield from _legacy(item)


def images(o: Obj, specs: list[dict]) -> Iterator[str]:
    if o.kind == "CustomResourceDefinition":
        return
    found = list(_legacy(o.body))
    for spec in specs:
        kind, group = spec.get("kind"), spec.get("group")
        if (kind and kind != o.kind) or (group and group != o.group):
            continue
        found += _at(o.body, [p.removesuffix("[]") for p in str(spec.get("path") or "").split("/") if p])
    yield from (i for i in found if isinstance(i, str))


def matches(name: str, image: str) -> bool:
    try:
        return re.match(f"^{name}(:[a-zA-Z0-9_.{{}}-]*)?(@sha256:[a-zA-Z0-9_.{{}}-]*)?$", image) is not None
    except re.error:
        return True  # Go's RE2 compiles some names Python's re does not (`*` matches every image there)


def check(overlay: Overlay) -> Iterable[Finding]:
    root = overlay.context.root
    missed: dict[tuple[str, int], list[str]] = {}
    names: dict[tuple[str, int], str] = {}
    for source in overlay.renders:
        rendered = overlay.context.render(source)
        if not isinstance(rendered, list):
            continue
        ks = tree(root, source)
        specs = field_specs(root, ks)
        seen = {i for o in universe(root, [rendered], [ks]) for i in images(o, specs)}
        seen |= {str(e["newName"]) for k in ks for e in map(as_dict, as_list(k.data.get("images"))) if "newName" in e}
        for k in ks:
            for i, entry in enumerate(map(as_dict, as_list(k.data.get("images")))):
                names[(k.file, i)] = str(entry.get("name") or "")
                if not any(matches(names[(k.file, i)], image) for image in seen):
                    missed.setdefault((k.file, i), []).append(source)
    for (file, i), sources in sorted(missed.items()):
        yield overlay.file_finding(
            file,
            f"images[{i}].name",
            f"{names[(file, i)]} matches no container image of the render of {', '.join(sources)}: kustomize "
            "skips it without a word",
            "use the image's name exactly as the containers write it (registry included, no tag), or teach "
            "kustomize where the kind keeps its images (configurations: images fieldSpecs)",
        )
