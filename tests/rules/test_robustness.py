"""Rules run after the schema pass but see objects that failed it too: a wrong type never crashes them."""

from __future__ import annotations

import copy

import pytest

from gitops.core.documents import Document
from gitops.validate import policy
from tests.rules.rule_fixtures import FIXTURES, load

FIXTURE_DIRS = sorted(d.name for d in FIXTURES.iterdir() if d.is_dir() and d.name != "repo")


def paths(value, prefix=()):
    """Every key path inside a body."""
    if isinstance(value, dict):
        for key, child in value.items():
            yield (*prefix, key)
            yield from paths(child, (*prefix, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            yield (*prefix, i)
            yield from paths(child, (*prefix, i))


def replaced(body: dict, path: tuple, new) -> dict:
    out = copy.deepcopy(body)
    target = out
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = new
    return out


@pytest.mark.parametrize("fixture", FIXTURE_DIRS, ids=FIXTURE_DIRS)
def test_every_field_of_the_wrong_type_is_tolerated(fixture, context):
    source, docs = load(FIXTURES / fixture)
    for doc in docs:
        for path in paths(doc.body):
            for wrong in ("oops", None, [], {}):
                mutated = [
                    Document(source, d.index, replaced(d.body, path, wrong) if d is doc else d.body) for d in docs
                ]
                policy.run({source: mutated}, context)  # must not raise
