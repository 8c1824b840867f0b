"""`kustomize edit set image`, on a round-trip document instead of a rewritten file.

kubectl embeds kustomize but not `kustomize edit`, so promotion edits
`images:` itself. Semantics follow kustomize v5's `edit set image`:

- entries are matched by `name`; one that does not exist yet is added;
- a given `newName` replaces the old one, an absent one keeps it;
- a given tag drops the digest and a given digest drops the tag (both may be
  given together); giving neither keeps whatever the entry had;
- entries are never removed.

Deliberate difference: kustomize re-sorts the whole list by name and rewrites
the file without comments. Here existing entries keep their place (and their
comments) and a new entry is inserted where name order puts it, so a list
that was sorted stays sorted and the review diff shows only what changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import ScalarString


@dataclass(frozen=True)
class ImageOverride:
    """One `images:` entry: the image `name` to match and what to set on it."""

    name: str
    new_name: str = ""
    new_tag: str = ""
    digest: str = ""

    @classmethod
    def from_entry(cls, entry: Any) -> "ImageOverride":
        return cls(
            name=str(entry.get("name", "")),
            new_name=str(entry.get("newName", "") or ""),
            new_tag=str(entry.get("newTag", "") or ""),
            digest=str(entry.get("digest", "") or ""),
        )


def images_of(kustomization: Any) -> list[ImageOverride]:
    """The `images:` entries of a loaded kustomization, in file order."""
    return [ImageOverride.from_entry(entry) for entry in kustomization.get("images") or []]


def set_image(kustomization: CommentedMap, override: ImageOverride) -> None:
    """Apply one override to `kustomization` in place."""
    images = kustomization.get("images")
    if images is None:
        images = CommentedSeq()
        kustomization["images"] = images
    for entry in images:
        if entry.get("name") == override.name:
            _update(entry, override)
            return
    position = next((i for i, entry in enumerate(images) if str(entry.get("name", "")) > override.name), len(images))
    images.insert(position, _new_entry(override))


def _update(entry: CommentedMap, override: ImageOverride) -> None:
    if override.new_name:
        _put(entry, "newName", override.new_name, after=("name",))
    if not (override.new_tag or override.digest):
        return
    # A tag and a digest name one image together: setting either replaces the pair.
    # Put before deleting, so a digest that replaces a tag takes the tag's line.
    wanted = {"newTag": override.new_tag, "digest": override.digest}
    _put_or_drop(entry, "newTag", wanted, after=("newName", "name"))
    _put_or_drop(entry, "digest", wanted, after=("newTag", "newName", "name"))
    for key, value in wanted.items():
        if not value and key in entry:
            _move_comment(entry, key, to="digest" if key == "newTag" else "newTag")
            del entry[key]


def _move_comment(entry: CommentedMap, old: str, to: str) -> None:
    """The replaced line's end-of-line comment (`# Renovate`) describes the image, not the tag: keep it."""
    comment = entry.ca.items.get(old)
    if comment is not None and to in entry and to not in entry.ca.items:
        entry.ca.items[to] = entry.ca.items.pop(old)


def _put_or_drop(entry: CommentedMap, key: str, wanted: dict[str, str], after: tuple[str, ...]) -> None:
    if wanted[key]:
        _put(entry, key, wanted[key], after)


def _put(entry: CommentedMap, key: str, value: str, after: tuple[str, ...]) -> None:
    """Set `key` in place if present, else right after the first existing key of `after`."""
    if key in entry:
        entry[key] = _same_style(entry[key], value)
        return
    keys = list(entry.keys())
    anchor = next((k for k in after if k in keys), None)
    entry.insert(keys.index(anchor) + 1 if anchor else len(keys), key, value)


def _same_style(old: Any, value: str) -> Any:
    """Keep a quoted value quoted the same way (`newTag: "0.1.0"` stays double-quoted)."""
    return type(old)(value) if isinstance(old, ScalarString) else value


def _new_entry(override: ImageOverride) -> CommentedMap:
    # Key order as `kustomize edit set image` writes it.
    entry = CommentedMap(name=override.name)
    if override.new_name:
        entry["newName"] = override.new_name
    if override.new_tag:
        entry["newTag"] = override.new_tag
    if override.digest:
        entry["digest"] = override.digest
    return entry
