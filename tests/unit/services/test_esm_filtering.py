"""Event filter patterns as AWS documents them: equality, prefix, suffix, anything-but, numeric, exists,
equals-ignore-case, $or, on a JSON body and on metadata; and batch item failure responses."""

from __future__ import annotations

import json

import pytest

from millpond.errors import AwsError
from millpond.services.lambda_.event_sources.events import failed_items
from millpond.services.lambda_.event_sources.filtering import filterable, matches_any, parse_filters


def patterns(*items: dict) -> list[dict]:
    return parse_filters({"Filters": [{"Pattern": json.dumps(p)} for p in items]})


def sqs(body: object, **meta: object) -> dict:
    text = body if isinstance(body, str) else json.dumps(body)
    return filterable({"body": text, **meta}, "body", text)


@pytest.mark.parametrize(
    ("pattern", "event", "expected"),
    [
        ({"body": {"a": ["x"]}}, sqs({"a": "x"}), True),
        ({"body": {"a": ["x"]}}, sqs({"a": "y"}), False),
        ({"body": {"a": [{"prefix": "ab"}]}}, sqs({"a": "abc"}), True),
        ({"body": {"a": [{"suffix": ".png"}]}}, sqs({"a": "x.jpg"}), False),
        ({"body": {"a": [{"anything-but": ["x", "y"]}]}}, sqs({"a": "z"}), True),
        ({"body": {"a": [{"anything-but": {"prefix": "in"}}]}}, sqs({"a": "internal"}), False),
        ({"body": {"n": [{"numeric": [">", 0, "<=", 5]}]}}, sqs({"n": 5}), True),
        ({"body": {"n": [{"numeric": [">", 0, "<=", 5]}]}}, sqs({"n": 6}), False),
        ({"body": {"a": [{"exists": False}]}}, sqs({"b": 1}), True),
        ({"body": {"a": [{"exists": True}]}}, sqs({"b": 1}), False),
        ({"body": {"a": [{"equals-ignore-case": "HeLLo"}]}}, sqs({"a": "hello"}), True),
        ({"body": {"a": [None]}}, sqs({"a": None}), True),
        ({"body": {"a": ["x"]}}, sqs({"a": ["y", "x"]}), True),
        ({"body": ["plain"]}, sqs("plain"), True),
        ({"body": {"a": ["x"]}}, sqs("not json"), False),
        (
            {"attributes": {"ApproximateReceiveCount": ["1"]}},
            sqs("x", attributes={"ApproximateReceiveCount": "1"}),
            True,
        ),
        ({"$or": [{"body": {"a": ["1"]}}, {"body": {"b": ["2"]}}]}, sqs({"b": "2"}), True),
    ],
)
def test_patterns(pattern: dict, event: dict, expected: bool) -> None:
    assert matches_any(patterns(pattern), event) is expected


def test_filters_are_ored_and_bad_patterns_refused() -> None:
    assert matches_any(patterns({"body": {"a": ["1"]}}, {"body": {"a": ["2"]}}), sqs({"a": "2"}))
    for bad in ["not json", "[]", "{}", json.dumps({"a": "x"}), json.dumps({"a": [{"nope": 1}]})]:
        with pytest.raises(AwsError) as error:
            parse_filters({"Filters": [{"Pattern": bad}]})
        assert error.value.message == "Invalid filter pattern definition."


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (b"", set()),
        (b"null", set()),
        (b"{}", set()),
        (b'{"batchItemFailures": []}', set()),
        (b'{"batchItemFailures": null}', set()),
        (b'{"batchItemFailures": [{"itemIdentifier": "a"}]}', {"a"}),
        (b'{"batchItemFailures": [{"itemIdentifier": "zzz"}]}', None),
        (b'{"batchItemFailures": [{"itemIdentifier": ""}]}', None),
        (b'{"batchItemFailures": [{"itemIdentifier": null}]}', None),
        (b'{"batchItemFailures": [{"id": "a"}]}', None),
        (b"{not json", None),
    ],
)
def test_batch_item_failures(payload: bytes, expected: set[str] | None) -> None:
    assert failed_items(payload, {"a", "b"}) == expected
