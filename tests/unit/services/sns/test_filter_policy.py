"""SNS filter policies: the grammar's checks and matching on attributes and on message bodies."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from millpond.services.sns import filter_policy
from millpond.services.sns.filter_policy import FilterPolicyError, matches_attributes, matches_body, parse


def attrs(**values: Any) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name, value in values.items():
        if isinstance(value, list):
            out[name] = {"DataType": "String.Array", "StringValue": json.dumps(value)}
        elif isinstance(value, int | float):
            out[name] = {"DataType": "Number", "StringValue": str(value)}
        elif isinstance(value, bytes):
            out[name] = {"DataType": "Binary", "BinaryValue": value}
        else:
            out[name] = {"DataType": "String", "StringValue": value}
    return out


def on_attributes(policy: dict[str, Any], **values: Any) -> bool:
    return matches_attributes(parse(json.dumps(policy)), attrs(**values))


def on_body(policy: dict[str, Any], body: Any) -> bool:
    text = body if isinstance(body, str) else json.dumps(body)
    return matches_body(parse(json.dumps(policy), "MessageBody"), text)


@pytest.mark.parametrize(
    ("policy", "values", "expected"),
    [
        ({"color": ["red"]}, {"color": "red"}, True),
        ({"color": ["red", "blue"]}, {"color": "blue"}, True),
        ({"color": ["red"]}, {"color": "Red"}, False),
        ({"color": ["red"]}, {}, False),
        ({"price": [100]}, {"price": 100}, True),
        ({"price": [100]}, {"price": "100"}, False),  # a String attribute is not a number
        ({"price": [100]}, {"price": 100.0}, True),
        ({"color": [{"prefix": "re"}]}, {"color": "red"}, True),
        ({"color": [{"prefix": "bl"}]}, {"color": "red"}, False),
        ({"file": [{"suffix": ".png"}]}, {"file": "a.png"}, True),
        ({"file": [{"suffix": ".png"}]}, {"file": "a.jpg"}, False),
        ({"color": [{"anything-but": "red"}]}, {"color": "blue"}, True),
        ({"color": [{"anything-but": "red"}]}, {"color": "red"}, False),
        ({"color": [{"anything-but": ["red", "blue"]}]}, {"color": "blue"}, False),
        ({"color": [{"anything-but": "red"}]}, {}, False),  # absent: anything-but does not match
        ({"price": [{"anything-but": [100, 200]}]}, {"price": 150}, True),
        ({"price": [{"anything-but": [100, 200]}]}, {"price": 200}, False),
        ({"color": [{"anything-but": {"prefix": "re"}}]}, {"color": "red"}, False),
        ({"color": [{"anything-but": {"prefix": "re"}}]}, {"color": "blue"}, True),
        ({"color": [{"anything-but": {"suffix": "ed"}}]}, {"color": "red"}, False),
        ({"price": [{"numeric": [">", 10]}]}, {"price": 11}, True),
        ({"price": [{"numeric": [">", 10]}]}, {"price": 10}, False),
        ({"price": [{"numeric": [">=", 10, "<", 20]}]}, {"price": 10}, True),
        ({"price": [{"numeric": [">=", 10, "<", 20]}]}, {"price": 20}, False),
        ({"price": [{"numeric": ["=", 5.5]}]}, {"price": 5.5}, True),
        ({"price": [{"numeric": ["<=", 0]}]}, {"price": -3}, True),
        ({"price": [{"numeric": [">", 0]}]}, {"price": "7"}, False),
        ({"store": [{"exists": True}]}, {"store": "x"}, True),
        ({"store": [{"exists": True}]}, {}, False),
        ({"store": [{"exists": False}]}, {}, True),
        ({"store": [{"exists": False}]}, {"store": "x"}, False),
        ({"ip": [{"cidr": "10.0.0.0/24"}]}, {"ip": "10.0.0.255"}, True),
        ({"ip": [{"cidr": "10.0.0.0/24"}]}, {"ip": "10.0.1.1"}, False),
        ({"ip": [{"cidr": "2001:db8::/32"}]}, {"ip": "2001:db8::1"}, True),
        ({"ip": [{"cidr": "10.0.0.0/24"}]}, {"ip": "not-an-ip"}, False),
        ({"color": [{"equals-ignore-case": "RED"}]}, {"color": "red"}, True),
        ({"color": [{"equals-ignore-case": "RED"}]}, {"color": "reed"}, False),
        ({"key": [{"wildcard": "img/*.png"}]}, {"key": "img/cat.png"}, True),
        ({"key": [{"wildcard": "img/*.png"}]}, {"key": "doc/cat.png"}, False),
        ({"key": [{"wildcard": "*"}]}, {"key": ""}, True),
        ({"tags": ["b"]}, {"tags": ["a", "b"]}, True),  # String.Array: any element
        ({"tags": ["c"]}, {"tags": ["a", "b"]}, False),
        ({"tags": [2]}, {"tags": [1, 2]}, True),
        ({"color": ["red"], "size": ["L"]}, {"color": "red", "size": "L"}, True),
        ({"color": ["red"], "size": ["L"]}, {"color": "red", "size": "M"}, False),
        ({"color": ["red"], "$or": [{"size": ["L"]}, {"price": [{"numeric": [">", 5]}]}]},
         {"color": "red", "price": 9}, True),
        ({"color": ["red"], "$or": [{"size": ["L"]}, {"price": [{"numeric": [">", 5]}]}]},
         {"color": "red", "price": 1}, False),
        ({"$or": [{"a": ["1"]}, {"b": ["2"]}]}, {"b": "2"}, True),
        ({}, {"anything": "x"}, True),
    ],
)  # fmt: skip
def test_attribute_scope(policy: dict[str, Any], values: dict[str, Any], expected: bool) -> None:
    assert on_attributes(policy, **values) is expected


def test_binary_attributes_are_invisible_to_policies() -> None:
    assert not on_attributes({"blob": [{"exists": True}]}, blob=b"\x00\x01")
    assert on_attributes({"blob": [{"exists": False}]}, blob=b"\x00\x01")


@pytest.mark.parametrize(
    ("policy", "body", "expected"),
    [
        ({"order": {"status": ["paid"]}}, {"order": {"status": "paid"}}, True),
        ({"order": {"status": ["paid"]}}, {"order": {"status": "new"}}, False),
        ({"order": {"total": [{"numeric": [">", 100]}]}}, {"order": {"total": 250.5}}, True),
        ({"order": {"item": {"sku": [{"prefix": "AB"}]}}}, {"order": {"item": {"sku": "AB-1"}}}, True),
        ({"items": {"sku": ["x"]}}, {"items": [{"sku": "y"}, {"sku": "x"}]}, True),
        ({"tags": ["new"]}, {"tags": ["old", "new"]}, True),
        ({"flag": [True]}, {"flag": True}, True),
        ({"flag": [True]}, {"flag": "true"}, False),
        ({"gone": [None]}, {"gone": None}, True),
        ({"order": {"coupon": [{"exists": False}]}}, {"order": {}}, True),
        ({"order": {"coupon": [{"exists": False}]}}, {}, True),
        ({"order": {"coupon": [{"exists": True}]}}, {"order": {"coupon": "X"}}, True),
        ({"a": ["1"]}, "not json", False),
        ({"a": ["1"]}, "[1, 2]", False),
        ({"$or": [{"a": {"b": ["1"]}}, {"c": ["2"]}]}, {"c": "2"}, True),
    ],
)  # fmt: skip
def test_body_scope(policy: dict[str, Any], body: Any, expected: bool) -> None:
    assert on_body(policy, body) is expected


@pytest.mark.parametrize(
    ("policy", "scope", "reason"),
    [
        ("not json", "MessageAttributes", "failed to parse JSON"),
        ("[1]", "MessageAttributes", "must be a JSON object"),
        ('{"a": {"b": ["1"]}}', "MessageAttributes", "does not support nested filter policy"),
        ('{"a": "x"}', "MessageAttributes", "must be an object or an array"),
        ('{"a": []}', "MessageAttributes", "Empty arrays are not allowed"),
        ('{"a": [{"bogus": 1}]}', "MessageAttributes", "Unrecognized match type bogus"),
        ('{"a": [{"prefix": 1}]}', "MessageAttributes", "prefix match pattern must be a string"),
        ('{"a": [{"exists": "yes"}]}', "MessageAttributes", "exists match pattern must be either true or"),
        ('{"a": [{"numeric": [">"]}]}', "MessageAttributes", "Value of numeric must be an array."),
        ('{"a": [{"numeric": ["~", 1]}]}', "MessageAttributes", "Unrecognized numeric range operator: ~"),
        ('{"a": [{"numeric": [">", 5, "<", 1]}]}', "MessageAttributes", "Bottom must be less than top"),
        ('{"a": [{"numeric": ["<", 5, ">", 1]}]}', "MessageAttributes", "Bad numeric range operator"),
        ('{"a": [{"cidr": "10.0.0.300/8"}]}', "MessageAttributes", "Nonstandard IP address"),
        ('{"a": [{"prefix": "x", "suffix": "y"}]}', "MessageAttributes", "Only one key allowed"),
        ('{"a": [[1]]}', "MessageAttributes", "Match value must be String, number, true, false, or null"),
        ('{"a": [1e10]}', "MessageAttributes", "within -1.0E9 and 1.0E9"),
        ('{"$or": [{"a": ["1"]}]}', "MessageAttributes", "at least two"),
        ('{"a":["1"],"b":["1"],"c":["1"],"d":["1"],"e":["1"],"f":["1"]}', "MessageAttributes",
         "can not have more than 5 keys"),
        (json.dumps({k: [str(i) for i in range(6)] for k in "abc"}), "MessageAttributes", "too complex"),
        ('{"a": {"b": {"c": ["1"]}}}', "MessageBody", None),
    ],
)  # fmt: skip
def test_policy_checks(policy: str, scope: str, reason: str | None) -> None:
    if reason is None:
        parse(policy, scope)
        return
    with pytest.raises(FilterPolicyError) as raised:
        parse(policy, scope)
    assert reason in str(raised.value)


def test_number_attributes_compare_as_numbers() -> None:
    document = filter_policy.attributes_document(attrs(price=3))
    assert document == {"price": 3.0}
    assert filter_policy.matches(parse('{"price": [3]}'), document)


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**10), 10**10)
    | st.floats(allow_nan=False)
    | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=20,
)
OPERATOR_KEYS = st.sampled_from([*filter_policy.OPERATORS, "$or", "bogus"])


@given(
    policy=st.dictionaries(
        st.one_of(st.text(max_size=5), OPERATOR_KEYS),
        st.one_of(JSON_VALUES, st.lists(st.dictionaries(OPERATOR_KEYS, JSON_VALUES, max_size=2), max_size=3)),
        max_size=4,
    ),
    body=JSON_VALUES,
    scope=st.sampled_from(["MessageAttributes", "MessageBody"]),
)
@settings(max_examples=400, deadline=None)
def test_any_policy_is_accepted_or_refused_and_matching_never_fails(
    policy: dict[str, Any], body: Any, scope: str
) -> None:
    try:
        parsed = parse(json.dumps(policy), scope)
    except FilterPolicyError:
        return
    matches_body(parsed, json.dumps(body))
    if scope == "MessageAttributes":
        values = body if isinstance(body, dict) else {"k": body}
        matches_attributes(
            parsed, {k: {"DataType": "String", "StringValue": json.dumps(v)} for k, v in values.items()}
        )


def test_deeply_nested_input_is_refused_not_crashed() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    with pytest.raises(FilterPolicyError):
        parse(deep)
    assert not matches_body({"a": ["1"]}, deep)
