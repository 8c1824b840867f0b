"""The rule registry finds rule modules by name and refuses, at import, a malformed or duplicate one."""

from __future__ import annotations

import importlib
import sys

import pytest

from gitops.validate.policy import registry


def package(tmp_path, monkeypatch, modules: dict[str, str]):
    """A throwaway package `fakerules` holding `modules` (name -> source), imported fresh."""
    root = tmp_path / "fakerules"
    root.mkdir()
    (root / "__init__.py").write_text("")
    for name, source in modules.items():
        (root / f"{name}.py").write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))
    for name in [m for m in sys.modules if m == "fakerules" or m.startswith("fakerules.")]:
        monkeypatch.delitem(sys.modules, name)
    return importlib.import_module("fakerules")


RULE = 'ID = "{id}"\nDESCRIPTION = "d"\nSEVERITY = "error"\n{extra}\ndef check(overlay):\n    return []\n'


def test_every_rule_of_the_repo_is_registered_once_sorted_by_id():
    ids = [r.ID for r in registry.RULES]
    assert ids == sorted(set(ids)) and "pod-security" in ids


def test_two_modules_with_one_id_fail_at_import(tmp_path, monkeypatch):
    pkg = package(tmp_path, monkeypatch, {"a": RULE.format(id="same", extra=""), "b": RULE.format(id="same", extra="")})
    with pytest.raises(registry.RuleRegistryError) as err:
        registry.discover(pkg)
    assert str(err.value) == "fakerules.b: rule ID same is already fakerules.a's"


def test_a_module_missing_a_part_fails_at_import(tmp_path, monkeypatch):
    pkg = package(tmp_path, monkeypatch, {"a": 'ID = "x"\nDESCRIPTION = "d"\n'})
    with pytest.raises(registry.RuleRegistryError) as err:
        registry.discover(pkg)
    assert str(err.value) == "fakerules.a: a rule module needs SEVERITY, check"


def test_an_unknown_scope_fails_at_import(tmp_path, monkeypatch):
    pkg = package(tmp_path, monkeypatch, {"a": RULE.format(id="x", extra='SCOPE = "cluster"')})
    with pytest.raises(registry.RuleRegistryError) as err:
        registry.discover(pkg)
    assert str(err.value) == "fakerules.a: SCOPE is 'cluster', not one of overlay, repo"
