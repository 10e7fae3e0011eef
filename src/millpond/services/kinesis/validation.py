"""Input constraints AWS checks before anything else, answered as its ValidationException words them:
"2 validation errors detected: Value 'a b' at 'streamName' failed to satisfy constraint: Member must
satisfy regular expression pattern: [a-zA-Z0-9_.-]+; ...". Bounds and patterns are the model's.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

from millpond.validation import validation_error, violation


@dataclass(frozen=True)
class Rule:
    required: bool = False
    min_len: int | None = None
    max_len: int | None = None
    pattern: str | None = None
    min_value: int | None = None
    max_value: int | None = None
    enum: tuple[str, ...] | None = None
    member: dict[str, Rule] | None = None  # for lists of structures
    keys: Rule | None = None  # for maps: each key
    values: Rule | None = None  # for maps: each value, and for lists: each item

    def needed(self) -> Rule:
        return dataclasses.replace(self, required=True)


def _names(*values: str) -> tuple[str, ...]:
    return values


NAME = Rule(min_len=1, max_len=128, pattern=r"[a-zA-Z0-9_.-]+")
STREAM_ARN = Rule(min_len=1, max_len=2048, pattern=r"arn:aws.*:kinesis:.*:\d{12}:stream/\S+")
STREAM_ID = Rule(min_len=1, max_len=24, pattern=r"[a-z0-9]{20}-[a-z0-9]{3}")
RESOURCE_ARN = Rule(
    min_len=1, max_len=2048, pattern=r"arn:aws.*:kinesis:.*:\d{12}:.*(stream|channel|queue)/\S+"
)
CONSUMER_ARN = Rule(
    min_len=1,
    max_len=2048,
    pattern=r"^(arn):aws.*:kinesis:.*:\d{12}:.*stream\/[a-zA-Z0-9_.-]+\/consumer\/[a-zA-Z0-9_.-]+:[0-9]+",
)
HASH_KEY = Rule(pattern=r"^(0|([1-9]\d{0,38}))$")
SEQUENCE = Rule(pattern=r"^(0|([1-9]\d{0,128}))$")
NEXT_TOKEN = Rule(min_len=1, max_len=1048576)
TAG_KEY = Rule(min_len=1, max_len=128)
TAG_MAP = Rule(min_len=1, max_len=200, keys=TAG_KEY, values=Rule(min_len=0, max_len=256))
TAG_KEYS = Rule(min_len=1, max_len=50, values=TAG_KEY)
METRICS = Rule(
    min_len=1,
    max_len=7,
    values=Rule(
        enum=_names(
            "IncomingBytes",
            "IncomingRecords",
            "OutgoingBytes",
            "OutgoingRecords",
            "WriteProvisionedThroughputExceeded",
            "ReadProvisionedThroughputExceeded",
            "IteratorAgeMilliseconds",
            "ALL",
        )
    ),
)
ITERATOR_TYPES = _names(
    "AT_SEQUENCE_NUMBER", "AFTER_SEQUENCE_NUMBER", "TRIM_HORIZON", "LATEST", "AT_TIMESTAMP"
)
MODE = Rule(member={"StreamMode": Rule(required=True, enum=_names("PROVISIONED", "ON_DEMAND"))})
STREAM = {"StreamName": NAME, "StreamARN": STREAM_ARN, "StreamId": STREAM_ID}
RETENTION = {**STREAM, "RetentionPeriodHours": Rule(required=True)}
ENCRYPTION = {
    **STREAM,
    "EncryptionType": Rule(required=True, enum=_names("NONE", "KMS")),
    "KeyId": Rule(required=True, min_len=1, max_len=2048),
}

RULES: dict[str, dict[str, Rule]] = {
    "CreateStream": {
        "StreamName": NAME.needed(),
        "ShardCount": Rule(min_value=1),
        "StreamModeDetails": MODE,
        "Tags": TAG_MAP,
        "WarmThroughputMiBps": Rule(min_value=0),
        "MaxRecordSizeInKiB": Rule(min_value=1024, max_value=10240),
        "RecordDistributionStrategy": Rule(enum=_names("AUTO", "USER_PARTITION_KEY")),
    },
    "DeleteStream": STREAM,
    "DescribeStream": {**STREAM, "Limit": Rule(min_value=1, max_value=10000), "ExclusiveStartShardId": NAME},
    "DescribeStreamSummary": STREAM,
    "ListStreams": {
        "Limit": Rule(min_value=1, max_value=10000),
        "ExclusiveStartStreamName": NAME,
        "NextToken": NEXT_TOKEN,
    },
    "ListShards": {
        **STREAM,
        "NextToken": NEXT_TOKEN,
        "ExclusiveStartShardId": NAME,
        "MaxResults": Rule(min_value=1, max_value=10000),
        "ShardFilter": Rule(
            member={
                "Type": Rule(
                    required=True,
                    enum=_names(
                        "AFTER_SHARD_ID",
                        "AT_TRIM_HORIZON",
                        "FROM_TRIM_HORIZON",
                        "AT_LATEST",
                        "AT_TIMESTAMP",
                        "FROM_TIMESTAMP",
                    ),
                ),
                "ShardId": NAME,
            }
        ),
    },
    "UpdateStreamMode": {
        "StreamARN": STREAM_ARN.needed(),
        "StreamId": STREAM_ID,
        "StreamModeDetails": Rule(required=True, member=MODE.member),
    },
    "IncreaseStreamRetentionPeriod": RETENTION,
    "DecreaseStreamRetentionPeriod": RETENTION,
    "AddTagsToStream": {**STREAM, "Tags": TAG_MAP.needed()},
    "RemoveTagsFromStream": {**STREAM, "TagKeys": TAG_KEYS.needed()},
    "ListTagsForStream": {
        **STREAM,
        "ExclusiveStartTagKey": TAG_KEY,
        "Limit": Rule(min_value=1, max_value=50),
    },
    "TagResource": {"ResourceARN": RESOURCE_ARN.needed(), "Tags": TAG_MAP.needed()},
    "UntagResource": {"ResourceARN": RESOURCE_ARN.needed(), "TagKeys": TAG_KEYS.needed()},
    "ListTagsForResource": {"ResourceARN": RESOURCE_ARN.needed()},
    "PutRecord": {
        **STREAM,
        "Data": Rule(required=True),
        "PartitionKey": Rule(min_len=1, max_len=256),
        "ExplicitHashKey": HASH_KEY,
        "SequenceNumberForOrdering": SEQUENCE,
    },
    "PutRecords": {
        **STREAM,
        "Records": Rule(
            required=True,
            min_len=1,
            max_len=500,
            member={
                "Data": Rule(required=True),
                "ExplicitHashKey": HASH_KEY,
                "PartitionKey": Rule(min_len=1, max_len=256),
            },
        ),
    },
    "GetShardIterator": {
        **STREAM,
        "ShardId": NAME.needed(),
        "ShardIteratorType": Rule(required=True, enum=ITERATOR_TYPES),
        "StartingSequenceNumber": SEQUENCE,
    },
    "GetRecords": {
        "ShardIterator": Rule(required=True, min_len=1, max_len=512),
        "Limit": Rule(min_value=1, max_value=10000),
        "StreamARN": STREAM_ARN,
    },
    "SplitShard": {**STREAM, "ShardToSplit": NAME.needed(), "NewStartingHashKey": HASH_KEY.needed()},
    "MergeShards": {**STREAM, "ShardToMerge": NAME.needed(), "AdjacentShardToMerge": NAME.needed()},
    "UpdateShardCount": {
        **STREAM,
        "TargetShardCount": Rule(required=True, min_value=1),
        "ScalingType": Rule(required=True, enum=_names("UNIFORM_SCALING")),
    },
    "StartStreamEncryption": ENCRYPTION,
    "StopStreamEncryption": ENCRYPTION,
    "EnableEnhancedMonitoring": {**STREAM, "ShardLevelMetrics": METRICS.needed()},
    "DisableEnhancedMonitoring": {**STREAM, "ShardLevelMetrics": METRICS.needed()},
    "RegisterStreamConsumer": {
        "StreamARN": STREAM_ARN.needed(),
        "ConsumerName": NAME.needed(),
        "Tags": TAG_MAP,
    },
    "DescribeStreamConsumer": {"StreamARN": STREAM_ARN, "ConsumerName": NAME, "ConsumerARN": CONSUMER_ARN},
    "DeregisterStreamConsumer": {"StreamARN": STREAM_ARN, "ConsumerName": NAME, "ConsumerARN": CONSUMER_ARN},
    "ListStreamConsumers": {
        "StreamARN": STREAM_ARN.needed(),
        "NextToken": NEXT_TOKEN,
        "MaxResults": Rule(min_value=1, max_value=10000),
    },
    "SubscribeToShard": {"ConsumerARN": CONSUMER_ARN.needed(), "ShardId": NAME.needed()},
    "PutResourcePolicy": {"ResourceARN": RESOURCE_ARN.needed(), "Policy": Rule(required=True)},
    "GetResourcePolicy": {"ResourceARN": RESOURCE_ARN.needed()},
    "DeleteResourcePolicy": {"ResourceARN": RESOURCE_ARN.needed()},
    "UpdateStreamRecordDistributionStrategy": {
        "StreamARN": STREAM_ARN.needed(),
        "StreamId": STREAM_ID,
        "RecordDistributionStrategy": Rule(required=True, enum=_names("AUTO", "USER_PARTITION_KEY")),
    },
    "UpdateStreamWarmThroughput": {**STREAM, "WarmThroughputMiBps": Rule(required=True, min_value=0)},
    "UpdateMaxRecordSize": {
        "StreamARN": STREAM_ARN,
        "StreamId": STREAM_ID,
        "MaxRecordSizeInKiB": Rule(required=True, min_value=1024, max_value=10240),
    },
}

_COMPILED: dict[str, re.Pattern[str]] = {}


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def _check(rule: Rule, value: Any, path: str, errors: list[str]) -> None:
    def fail(constraint: str) -> None:
        errors.append(violation(value, path, constraint))

    if value is None:
        if rule.required:
            fail("Member must not be null")
        return
    if rule.min_len is not None or rule.max_len is not None:
        length = len(value) if isinstance(value, str | bytes | list | dict) else None
        if length is not None and rule.max_len is not None and length > rule.max_len:
            fail(f"Member must have length less than or equal to {rule.max_len}")
        if length is not None and rule.min_len is not None and length < rule.min_len:
            fail(f"Member must have length greater than or equal to {rule.min_len}")
    if isinstance(value, int) and not isinstance(value, bool):
        if rule.max_value is not None and value > rule.max_value:
            fail(f"Member must have value less than or equal to {rule.max_value}")
        if rule.min_value is not None and value < rule.min_value:
            fail(f"Member must have value greater than or equal to {rule.min_value}")
    if rule.pattern is not None and isinstance(value, str):
        compiled = _COMPILED.get(rule.pattern) or _COMPILED.setdefault(rule.pattern, re.compile(rule.pattern))
        if not compiled.fullmatch(value):
            fail(f"Member must satisfy regular expression pattern: {rule.pattern}")
    if rule.enum is not None and isinstance(value, str) and value not in rule.enum:
        fail(f"Member must satisfy enum value set: [{', '.join(rule.enum)}]")
    if rule.member is not None and isinstance(value, list):
        for position, item in enumerate(value, 1):
            _check_all(
                rule.member, item if isinstance(item, dict) else {}, f"{path}.{position}.member", errors
            )
    elif rule.member is not None and isinstance(value, dict):
        _check_all(rule.member, value, path, errors)
    if isinstance(value, dict):
        for key, item in value.items():
            if rule.keys is not None:
                _check(rule.keys, key, f"{path}.{key}.member.key", errors)
            if rule.values is not None:
                _check(rule.values, item, f"{path}.{key}.member.value", errors)
    elif isinstance(value, list) and rule.values is not None:
        for position, item in enumerate(value, 1):
            _check(rule.values, item, f"{path}.{position}.member", errors)


def _check_all(rules: dict[str, Rule], params: dict[str, Any], parent: str, errors: list[str]) -> None:
    for name, rule in rules.items():
        _check(
            rule, params.get(name), f"{parent}.{_lower_first(name)}" if parent else _lower_first(name), errors
        )


def validate(operation: str, params: dict[str, Any]) -> None:
    """ValidationException listing every constraint `params` break (AWS stops at ten)."""
    rules = RULES.get(operation)
    if rules is None:
        return
    errors: list[str] = []
    _check_all(rules, params, "", errors)
    if errors:
        raise validation_error(errors)
