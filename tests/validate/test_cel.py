"""CEL as the API server evaluates CRD rules, through schemas/cel.py and rules_walk.py.

The pinned CRDs (shared/platform/crds) call only core CEL: has(), the all() and
filter() macros, size(), string contains() and matches(), `in` on a map,
?:, arithmetic and comparisons (the inventory is asserted below). No Kubernetes
extension library (lists, regex, quantity, ...) is used, so none is declared:
a rule calling one must fail to compile. Semantics from
apiextensions-apiserver pkg/apiserver/schema/cel/validation.go and
k8s.io/apiserver pkg/cel/common/values.go.
"""

from __future__ import annotations

import re

import pytest

from gitops.validate.schemas import cel, platform
from gitops.validate.schemas.rules_walk import KindRules

# Every function, macro and operator the 218 rules of the pinned CRDs use, with a case each.
USED = [
    ("has(self.a)", {"a": 1}, True),
    ("has(self.a)", {"a": None}, True),  # presence only: nulls are dropped before CEL sees the object
    ("self.all(t, has(t.x))", [{"x": 1}, {"y": 1}], False),
    ("[has(self.a), has(self.b)].filter(x, x == true).size() <= 1", {"a": 1, "b": 2}, False),
    ("size(self.l) == 0", {"l": []}, True),
    ("self.l.size() == 2", {"l": [1, 2]}, True),
    ("!self.v.contains('resourcesDuration.')", {"v": "x.resourcesDuration.y"}, False),
    ("self.name.matches('^[0-9]')", {"name": "1st"}, True),  # RE2, unanchored unless the pattern anchors
    ("self.name.matches('[0-9]')", {"name": "a1"}, True),
    ("!('esoNamespace' in self)", {"esoNamespace": "x"}, False),
    ("(has(self.a) ? 1 : 0) + (has(self.b) ? 1 : 0) <= 1", {"a": 1}, True),
    ("self.mode == 'DaemonSet' && self.shards > 1", {"mode": "DaemonSet", "shards": 2}, True),
    ("(has(self.s) ? self.s : 1) >= self.v.size()", {"v": [1, 2]}, False),
    ("has(self.value) != has(self.secretRef)", {"value": "x"}, True),
    ("self.t != 'RollingUpdate'", {"t": "OnDelete"}, True),
]


@pytest.mark.parametrize("rule,value,expected", USED, ids=[r for r, _, _ in USED])
def test_core_cel_the_pinned_crds_use(rule, value, expected):
    result, error = cel.evaluate(cel.compile_rule(rule), cel.bind(value))
    assert (result, error) == (expected, "")


def test_the_pinned_rules_use_only_those_constructs(repo):
    """An inventory of every call in the pinned rules: a new function in a bumped CRD must be added (and tested)."""
    from gitops.validate.schemas import crds

    calls = set()
    for pinned, data in platform.read_all(repo).items():
        if pinned.local_path.startswith("crds/"):
            for crd in crds.parse(data.decode(), pinned.local_path):
                for version in crds.served_versions(crd, pinned.local_path):
                    for rule in version.cel:
                        calls |= set(re.findall(r"([A-Za-z_]+)\s*\(", rule["rule"]))
    assert calls == {"has", "all", "filter", "size", "contains", "matches"}


def test_a_kubernetes_library_function_is_not_declared():
    """isSorted (k8s lists library) is no core CEL: compiling it fails, so the store build names the rule."""
    with pytest.raises(cel.CelError, match="undeclared reference to 'isSorted'"):
        cel.compile_rule("self.l.isSorted()")


def test_reading_a_missing_field_is_an_error_with_cel_go_wording():
    result, error = cel.evaluate(cel.compile_rule("self.name == 'x'"), cel.bind({}))
    assert (result, error) == (None, "no such key: name")


def _rules(rule: dict, schema: dict) -> KindRules:
    return KindRules.build({"origin": "test", "cel": [rule], "list_maps": []}, schema)


SCHEMA = {
    "type": "object",
    "properties": {
        "spec": {
            "type": "object",
            "properties": {
                "ratio": {"type": "number"},
                "items": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}}}},
            },
        }
    },
}


def test_a_rule_on_items_runs_per_element_and_names_the_element():
    rule = {"path": ["spec", "items", "[]"], "type": "object", "rule": "self.name != 'bad'", "message": "no bad"}
    problems = _rules(rule, SCHEMA).check({"spec": {"items": [{"name": "ok"}, {"name": "bad"}]}})
    assert [(p.path, p.message) for p in problems] == [(["spec", "items", 1], 'Invalid value: "object": no bad')]


def test_a_rule_on_an_absent_field_does_not_run():
    rule = {"path": ["spec", "items"], "type": "array", "rule": "false", "message": "never"}
    assert _rules(rule, SCHEMA).check({"spec": {}}) == []


def test_number_fields_are_doubles_and_message_expression_wins():
    rule = {
        "path": ["spec"],
        "type": "object",
        "rule": "self.ratio < 1.0",
        "message": "static",
        "messageExpression": "'ratio ' + string(self.ratio) + ' is too high'",
        "reason": "FieldValueForbidden",
        "fieldPath": ".ratio",
    }
    (problem,) = _rules(rule, SCHEMA).check({"spec": {"ratio": 2}})
    assert (problem.path, problem.message) == (["spec", "ratio"], "Forbidden: ratio 2 is too high")


def test_transition_rules_are_skipped_and_counted():
    rule = {"path": ["spec"], "type": "object", "rule": "self == oldSelf", "message": "immutable"}
    rules = _rules(rule, SCHEMA)
    assert (rules.rules, rules.skipped_transition) == (0, 1)
    assert rules.check({"spec": {"ratio": 1}}) == []


def test_an_evaluation_error_is_reported_with_the_rule():
    rule = {"path": ["spec"], "type": "object", "rule": "self.missing == 1", "message": "needs missing"}
    (problem,) = _rules(rule, SCHEMA).check({"spec": {"ratio": 1.0}})
    assert problem.message == 'Invalid value: "object": no such key: missing evaluating rule: needs missing'
