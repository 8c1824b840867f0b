"""`{{...}}` substitution as util/template (template.go, simple_template.go) over fasttemplate v1.2.2 does it."""

from __future__ import annotations

import pytest

from gitops.argo import substitution as s

SCOPE = {"inputs.parameters.x": "1", "tasks.A.outputs.result": "ok", "b": "B"}


def test_known_tags_resolve_and_unknown_ones_stay():
    assert s.replace_text("x={{inputs.parameters.x}} y={{ foo }}", SCOPE) == "x=1 y={{ foo }}"


def test_a_strict_prefix_must_resolve_with_the_untrimmed_tag_in_the_message():
    with pytest.raises(s.Unresolved) as err:
        s.replace_text("{{ tasks.B.outputs.result }}", SCOPE, strict=("tasks", "steps"))
    assert str(err.value) == "failed to resolve {{ tasks.B.outputs.result }}"


def test_strict_prefix_is_a_whole_segment():
    assert s.replace_text("{{tasksX.y}}", SCOPE, strict=("tasks",)) == "{{tasksX.y}}"


def test_an_artifact_reference_may_stay_unresolved_under_a_strict_prefix():
    text = "{{tasks.B.outputs.artifacts.a}}"
    assert s.replace_text(text, SCOPE, strict=("tasks",)) == text


def test_nothing_may_stay_unresolved_when_unresolved_tags_are_not_allowed():
    with pytest.raises(s.Unresolved):
        s.replace_text("{{foo}}", SCOPE, allow_unresolved=False)


def test_a_nested_tag_resolves_its_inner_part():
    assert s.replace_text("{{a{{b}}", SCOPE) == "{{aB"


def test_structures_are_walked_keys_included_and_left_unchanged():
    value = {"{{b}}": ["{{inputs.parameters.x}}", 3]}
    assert s.replace(value, SCOPE) == {"B": ["1", 3]}
    assert value == {"{{b}}": ["{{inputs.parameters.x}}", 3]}


@pytest.mark.parametrize(
    ("text", "error"),
    [("a {{b", s.Unbalanced), ("{{=inputs.parameters.x}}", s.ExpressionTag)],
)
def test_what_cannot_be_reproduced_is_reported(text, error):
    with pytest.raises(error):
        s.replace_text(text, SCOPE)


def test_a_control_character_in_a_value_is_reported():
    with pytest.raises(s.ControlCharacter):
        s.replace_text("{{v}}", {"v": "a\x01b"})
    assert s.replace_text("{{v}}", {"v": "a\tb\nc"}) == "a\tb\nc"


def test_tags_lists_them_and_expression_tags_are_told_apart():
    assert s.tags("{{a}} and {{ =b }} and {{=c}}") == ["a", " =b ", "=c"]
    assert [s.is_expression(t) for t in s.tags("{{ =b }}{{=c}}")] == [False, True]
