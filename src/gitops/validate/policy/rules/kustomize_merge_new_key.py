"""A generator `behavior: merge` that sets a key the base does not define adds it silently; the base's stays."""

# kustomize v5.8.1 api/resmap/reswrangler.go appendReplaceOrMerge: a merge copies every key of
# the generator into the ConfigMap (or Secret) of that name, whether the base has the key or
# not, so a misspelt key (MODEL_NAM=iris) becomes a new key and the base's MODEL_NAME keeps its
# default. The base is the generator of that name without behavior (or `create`), or an object
# of that kind and name in a resource file. Keys as kustomize reads them (api/kv/kv.go):
# literals split at the first `=`; env files one KEY=value per line, `#` comments and blank
# lines skipped; files keyed by `key=path` or the file's base name.

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from pathlib import Path

from gitops.core.findings import ERROR, Finding
from gitops.validate.policy.context import Overlay
from gitops.validate.policy.fields import as_dict, as_list
from gitops.validate.policy.kustomizations import Kustomization, tree, written_objects

ID = "kustomize-merge-new-key"
DESCRIPTION = "a configMapGenerator/secretGenerator merge sets only keys its base defines"
SEVERITY = ERROR
SCOPE = "repo"  # a Component's merge is built by several overlays
GENERATORS = {"configMapGenerator": "ConfigMap", "secretGenerator": "Secret"}


def env_keys(path: Path) -> list[str]:
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    keys = []
    for line in lines:
        line = line.lstrip()
        if line and not line.startswith("#"):
            keys.append(line.split("=", 1)[0])
    return keys


def keys(directory: Path, generator: dict) -> Iterator[tuple[str, str]]:
    """(field path below the generator, key) for every key the generator in `directory` sets."""
    for j, literal in enumerate(as_list(generator.get("literals"))):
        yield f"literals[{j}]", str(literal).split("=", 1)[0]
    for j, env in enumerate(as_list(generator.get("envs"))):
        yield from ((f"envs[{j}]", key) for key in env_keys(directory / str(env)))
    for j, file in enumerate(as_list(generator.get("files"))):
        key, sep, path = str(file).partition("=")
        yield f"files[{j}]", key if sep else Path(str(file)).name


def base_keys(root: Path, ks: list[Kustomization], kind: str, field: str, name: str) -> set[str] | None:
    """The keys the base of a merge defines, or None when the render has no base of that name."""
    for k in ks:
        for gen in map(as_dict, as_list(k.data.get(field))):
            if gen.get("name") == name and gen.get("behavior") in (None, "", "create"):
                return {key for _, key in keys(root / k.directory, gen)}
    for k in ks:
        for o in written_objects(root, k, generated=False):
            if o.kind == kind and o.name == name:
                data = {**as_dict(o.body.get("data")), **as_dict(o.body.get("binaryData"))}
                return set(map(str, {**data, **as_dict(o.body.get("stringData"))}))
    return None


def check(overlay: Overlay) -> Iterable[Finding]:
    root = overlay.context.root
    added: dict[tuple[str, str, str, str, str], list[str]] = {}
    for source in overlay.renders:
        ks = tree(root, source)
        for k in ks:
            for field, kind in GENERATORS.items():
                for i, gen in enumerate(map(as_dict, as_list(k.data.get(field)))):
                    if gen.get("behavior") != "merge":
                        continue
                    name = str(gen.get("name") or "")
                    known = base_keys(root, ks, kind, field, name)
                    if known is None:
                        continue  # kustomize refuses a merge without a base: the render finding says so
                    for path, key in keys(root / k.directory, gen):
                        if key not in known:
                            near = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.75)
                            entry = (k.file, f"{field}[{i}].{path}", name, key, near[0] if near else "")
                            added.setdefault(entry, []).append(source)
    for (file, path, name, key, near), sources in sorted(added.items()):
        hint = f"did you mean {near}? " if near else ""
        yield overlay.file_finding(
            file,
            path,
            f"merge sets {key}, which the base {name} does not define (render of {', '.join(sources)}): "
            "kustomize adds it as a new key and the base's value stays",
            f"{hint}use a key the base {name} defines, or define {key} in the base first",
        )
