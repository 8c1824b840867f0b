"""Loops: node names, item values and errors as workflow/controller/operator.go processItem and
generateNodeName, expandSequence, and dag.go/steps.go withParam parsing produce them."""

from __future__ import annotations

import pytest

from gitops.argo import items


def test_names_and_values_of_each_item_type():
    found = items.expand("A", ["a", 1, 1.0, True, {"n": 1, "name": "x(y)"}, [1, "x"], "<b>"])
    assert [(e.name, e.scope["item"]) for e in found] == [
        ("A(0:a)", "a"),
        ("A(1:1)", "1"),
        ("A(2:1)", "1"),  # a YAML 1.0 is the JSON number 1
        ("A(3:true)", "true"),
        ("A(4:n:1,name:xy)", '{"n":1,"name":"x(y)"}'),
        ("A(5:[1 x])", '[1,"x"]'),
        ("A(6:<b>)", "<b>"),
    ]
    assert found[4].scope["item.name"] == "x(y)"


def test_sequences_count_up_or_down_with_a_format():
    assert items.sequence({"count": 3, "start": 5, "format": "%02d"}) == ["05", "06", "07"]
    assert items.sequence({"start": 3, "end": 1}) == ["3", "2", "1"]
    assert items.sequence({"count": "0"}) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("hello", "invalid character 'h' looking for beginning of value"),
        ("[1,2", "unexpected end of JSON input"),
        ("[1 2]", "invalid character '2' after array element"),
        ('{"a" 1}', "invalid character '1' after object key"),
        ('"x"', "json: cannot unmarshal string into Go value of type []v1alpha1.Item"),
        ("[1] x", "invalid character 'x' after top-level value"),
    ],
)
def test_with_param_errors_read_as_encoding_json_writes_them(text, message):
    with pytest.raises(items.ItemsError) as err:
        items.items_of({"withParam": text})
    assert str(err.value) == f"withParam value could not be parsed as a JSON list: {text}: {message}"


def test_null_with_param_is_empty():
    assert items.items_of({"withParam": "null"}) == []
