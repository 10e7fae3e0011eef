"""Queue attributes: defaults, ranges, create vs set, GetQueueAttributes names and CreateQueue idempotency."""

from __future__ import annotations

import json

import pytest
from botocore.loaders import Loader
from hypothesis import given
from hypothesis import strategies as st

from millpond.errors import AwsError
from millpond.services.sqs.attributes import (
    COMPUTED_ATTRIBUTES,
    FIFO_DEFAULTS,
    INTEGER_RANGES,
    QUEUE_ATTRIBUTE_NAMES,
    SETTABLE_ATTRIBUTES,
    STANDARD_DEFAULTS,
    QueueConfig,
    apply_changes,
    check_idempotent_create,
    computed_attributes,
    initial_attributes,
    normalize_value,
    resolve_attribute_names,
    select_attributes,
    validate_create_attributes,
    validate_set_attributes,
)
from millpond.services.sqs.messages import QueueSendRules

from ._aws import aws_error

DLQ = "arn:aws:sqs:us-east-1:000000000000:dlq"


def test_names_match_the_current_model() -> None:
    model = Loader().load_service_model("sqs", "service-2")
    assert ["All", *QUEUE_ATTRIBUTE_NAMES] == model["shapes"]["QueueAttributeName"]["enum"]


def test_defaults_are_awss() -> None:
    # AWS-recorded GetQueueAttributes(All) of a new standard queue (aws-facts 2.2).
    assert initial_attributes({}, fifo=False) == {
        "DelaySeconds": "0",
        "MaximumMessageSize": "1048576",
        "MessageRetentionPeriod": "345600",
        "ReceiveMessageWaitTimeSeconds": "0",
        "VisibilityTimeout": "30",
        "SqsManagedSseEnabled": "true",
    }
    fifo = initial_attributes({"FifoQueue": "true"}, fifo=True)
    assert fifo == {
        **STANDARD_DEFAULTS,
        "FifoQueue": "true",
        "ContentBasedDeduplication": "false",
        "DeduplicationScope": "queue",
        "FifoThroughputLimit": "perQueue",
    }
    assert fifo == FIFO_DEFAULTS


@pytest.mark.parametrize(("name", "bounds"), sorted(INTEGER_RANGES.items()))
def test_integer_ranges(name: str, bounds: tuple[int, int]) -> None:
    low, high = bounds
    assert validate_create_attributes({name: str(low)}, fifo=False) == {name: str(low)}
    assert validate_create_attributes({name: str(high)}, fifo=False) == {name: str(high)}
    for bad in (str(low - 1), str(high + 1), "", " 6", "6.5", "abc", "1e3"):
        # AWS-recorded (real SQS): InvalidAttributeValue "Invalid value for the parameter DelaySeconds."
        with aws_error("InvalidAttributeValue", f"Invalid value for the parameter {name}."):
            validate_create_attributes({name: bad}, fifo=False)


def test_range_values_from_the_docs() -> None:
    assert INTEGER_RANGES == {
        "DelaySeconds": (0, 900),
        "MaximumMessageSize": (1024, 1_048_576),
        "MessageRetentionPeriod": (60, 1_209_600),
        "ReceiveMessageWaitTimeSeconds": (0, 20),
        "VisibilityTimeout": (0, 43_200),
        "KmsDataKeyReusePeriodSeconds": (60, 86_400),
    }


def test_integers_are_normalized() -> None:
    assert validate_create_attributes({"DelaySeconds": "007"}, fifo=False) == {"DelaySeconds": "7"}


@pytest.mark.parametrize("name", ["Foo", "VisibilityTimeoutSeconds", "All", *COMPUTED_ATTRIBUTES])
def test_unknown_and_read_only_names(name: str) -> None:
    with aws_error("InvalidAttributeName", f"Unknown Attribute {name}."):
        validate_create_attributes({name: "1"}, fifo=False)
    with aws_error("InvalidAttributeName", f"Unknown Attribute {name}."):
        validate_set_attributes({name: "1"}, fifo=False)


def test_fifo_only_attributes_on_standard_queues() -> None:
    # AWS-recorded: ContentBasedDeduplication and FifoQueue are unknown on a standard queue.
    with aws_error("InvalidAttributeName", "Unknown Attribute ContentBasedDeduplication."):
        validate_create_attributes({"ContentBasedDeduplication": "true"}, fifo=False)
    with aws_error("InvalidAttributeName", "Unknown Attribute FifoQueue."):
        validate_set_attributes({"FifoQueue": "true"}, fifo=False)
    for name, value in (("DeduplicationScope", "queue"), ("FifoThroughputLimit", "perQueue")):
        with aws_error(
            "InvalidAttributeName", f"You can specify the {name} only when FifoQueue is set to true."
        ):
            validate_create_attributes({name: value}, fifo=False)


def test_queue_type_cannot_change() -> None:
    # AWS-recorded (LocalStack snapshot test_set_unsupported_attribute_fifo)
    with aws_error(
        "InvalidAttributeValue",
        "Invalid value for the parameter FifoQueue. Reason: Modifying queue type is not supported.",
    ):
        validate_set_attributes({"FifoQueue": "false"}, fifo=True)
    assert validate_set_attributes({"FifoQueue": "true"}, fifo=True) == {"FifoQueue": "true"}
    assert apply_changes(FIFO_DEFAULTS, {"FifoQueue": "true"}) == FIFO_DEFAULTS


def test_booleans_and_enums() -> None:
    assert validate_create_attributes({"ContentBasedDeduplication": "True"}, fifo=True) == {
        "ContentBasedDeduplication": "true"
    }
    with aws_error("InvalidAttributeValue", "Invalid value for the parameter ContentBasedDeduplication."):
        validate_create_attributes({"ContentBasedDeduplication": "yes"}, fifo=True)
    with aws_error("InvalidAttributeValue", "Invalid value for the parameter SqsManagedSseEnabled."):
        validate_create_attributes({"SqsManagedSseEnabled": "1"}, fifo=False)
    with aws_error("InvalidAttributeValue", "Invalid value for the parameter DeduplicationScope."):
        validate_create_attributes({"DeduplicationScope": "group"}, fifo=True)
    with aws_error("InvalidAttributeValue", "Invalid value for the parameter FifoThroughputLimit."):
        validate_create_attributes({"FifoThroughputLimit": "perGroup"}, fifo=True)


def test_high_throughput_needs_message_group_scope() -> None:
    high = {"DeduplicationScope": "messageGroup", "FifoThroughputLimit": "perMessageGroupId"}
    assert initial_attributes(validate_create_attributes(high, fifo=True), fifo=True)[
        "FifoThroughputLimit"
    ] == ("perMessageGroupId")
    with aws_error("InvalidAttributeValue"):
        initial_attributes(
            validate_create_attributes({"FifoThroughputLimit": "perMessageGroupId"}, fifo=True), fifo=True
        )


def test_policy_must_be_a_json_object() -> None:
    policy = '{"Version":"2012-10-17","Statement":[]}'
    assert validate_create_attributes({"Policy": policy}, fifo=False) == {"Policy": policy}
    with aws_error("InvalidAttributeValue", "Invalid value for the parameter Policy."):
        validate_create_attributes({"Policy": "not json"}, fifo=False)
    # An empty value means "no policy".
    assert validate_create_attributes({"Policy": ""}, fifo=False) == {}


def test_redrive_policies_are_normalized() -> None:
    raw = json.dumps({"maxReceiveCount": "5", "deadLetterTargetArn": DLQ})
    assert validate_create_attributes({"RedrivePolicy": raw}, fifo=False) == {
        "RedrivePolicy": f'{{"deadLetterTargetArn":"{DLQ}","maxReceiveCount":5}}'
    }
    with aws_error("InvalidParameterValueException"):
        validate_create_attributes({"RedrivePolicy": "{}"}, fifo=False)
    assert validate_create_attributes(
        {"RedriveAllowPolicy": '{"redrivePermission": "denyAll"}'}, fifo=False
    ) == {"RedriveAllowPolicy": '{"redrivePermission":"denyAll"}'}


def test_removing_policies_with_empty_strings() -> None:
    current = initial_attributes(
        validate_create_attributes(
            {"Policy": "{}", "RedrivePolicy": json.dumps({"deadLetterTargetArn": DLQ, "maxReceiveCount": 1})},
            fifo=False,
        ),
        fifo=False,
    )
    changes = validate_set_attributes({"Policy": "", "RedrivePolicy": ""}, fifo=False)
    assert changes == {"Policy": "", "RedrivePolicy": ""}
    assert apply_changes(current, changes) == STANDARD_DEFAULTS


def test_sse_kms_and_sqs_are_mutually_exclusive() -> None:
    # AWS-recorded (LocalStack snapshot), an InvalidAttributeName error.
    message = (
        "You can use one type of server-side encryption (SSE) at one time. You can "
        "either enable KMS SSE or SQS SSE."
    )
    with aws_error("InvalidAttributeName", message):
        validate_create_attributes(
            {"SqsManagedSseEnabled": "true", "KmsMasterKeyId": "alias/aws/sqs"}, fifo=False
        )
    with aws_error("InvalidAttributeName", message):
        validate_set_attributes(
            {"SqsManagedSseEnabled": "true", "KmsMasterKeyId": "alias/aws/sqs"}, fifo=False
        )


def test_kms_turns_sqs_sse_off() -> None:
    stored = initial_attributes(
        validate_create_attributes({"KmsMasterKeyId": "alias/aws/sqs"}, fifo=False), fifo=False
    )
    assert stored["SqsManagedSseEnabled"] == "false"
    assert stored["KmsMasterKeyId"] == "alias/aws/sqs"
    assert stored["KmsDataKeyReusePeriodSeconds"] == "300"
    custom = validate_create_attributes(
        {"KmsMasterKeyId": "k", "KmsDataKeyReusePeriodSeconds": "860"}, fifo=False
    )
    assert initial_attributes(custom, fifo=False)["KmsDataKeyReusePeriodSeconds"] == "860"
    back = apply_changes(stored, validate_set_attributes({"SqsManagedSseEnabled": "true"}, fifo=False))
    assert "KmsMasterKeyId" not in back and "KmsDataKeyReusePeriodSeconds" not in back
    assert back["SqsManagedSseEnabled"] == "true"
    off = apply_changes(stored, validate_set_attributes({"KmsMasterKeyId": ""}, fifo=False))
    assert "KmsMasterKeyId" not in off and "KmsDataKeyReusePeriodSeconds" not in off


def test_set_attributes_update() -> None:
    current = initial_attributes({}, fifo=False)
    changes = validate_set_attributes(
        {"MaximumMessageSize": "2048", "VisibilityTimeout": "69", "DelaySeconds": "420"}, fifo=False
    )
    updated = apply_changes(current, changes)
    assert (updated["MaximumMessageSize"], updated["VisibilityTimeout"], updated["DelaySeconds"]) == (
        "2048",
        "69",
        "420",
    )
    assert current == STANDARD_DEFAULTS  # the input is not modified


def test_names_are_checked_before_values() -> None:
    with aws_error("InvalidAttributeName", "Unknown Attribute Foo."):
        validate_set_attributes({"DelaySeconds": "9999", "Foo": "1"}, fifo=False)


def test_idempotent_create() -> None:
    # AWS-validated (LocalStack test_create_queue_with_different_attributes_raises_exception).
    current = initial_attributes(
        validate_create_attributes({"ReceiveMessageWaitTimeSeconds": "1", "DelaySeconds": "1"}, fifo=False),
        fifo=False,
    )
    check_idempotent_create(current, {})
    check_idempotent_create(current, validate_create_attributes({"DelaySeconds": "1"}, fifo=False))
    check_idempotent_create(current, validate_create_attributes({"DelaySeconds": "01"}, fifo=False))
    check_idempotent_create(current, validate_create_attributes({"VisibilityTimeout": "30"}, fifo=False))
    with aws_error(
        "QueueNameExists",
        "A queue already exists with the same name and a different value for attribute DelaySeconds",
    ):
        check_idempotent_create(
            current,
            validate_create_attributes(
                {"ReceiveMessageWaitTimeSeconds": "1", "DelaySeconds": "2"}, fifo=False
            ),
        )
    # Compared with the current values, after SetQueueAttributes changed them.
    updated = apply_changes(current, validate_set_attributes({"DelaySeconds": "2"}, fifo=False))
    check_idempotent_create(updated, validate_create_attributes({"DelaySeconds": "2"}, fifo=False))
    with aws_error("QueueNameExists"):
        check_idempotent_create(updated, validate_create_attributes({"DelaySeconds": "1"}, fifo=False))


def test_idempotent_create_fifo() -> None:
    current = initial_attributes(
        validate_create_attributes({"FifoQueue": "true", "ContentBasedDeduplication": "true"}, fifo=True),
        fifo=True,
    )
    check_idempotent_create(current, validate_create_attributes({"FifoQueue": "true"}, fifo=True))
    # AWS-recorded (LocalStack snapshot test_create_fifo_queue_with_different_attributes_raises_error)
    with aws_error(
        "QueueNameExists",
        "A queue already exists with the same name and a different value for attribute "
        "ContentBasedDeduplication",
    ):
        check_idempotent_create(
            current,
            validate_create_attributes(
                {"FifoQueue": "true", "ContentBasedDeduplication": "false"}, fifo=True
            ),
        )


def test_resolve_attribute_names() -> None:
    assert resolve_attribute_names(None, fifo=False) == []
    assert resolve_attribute_names([], fifo=False) == []
    assert resolve_attribute_names(["VisibilityTimeout", "VisibilityTimeout"], fifo=False) == [
        "VisibilityTimeout"
    ]
    standard_all = resolve_attribute_names(["All"], fifo=False)
    assert "FifoQueue" not in standard_all and "QueueArn" in standard_all
    assert resolve_attribute_names(["QueueArn", "All"], fifo=True) == list(QUEUE_ATTRIBUTE_NAMES)
    with aws_error("InvalidAttributeName", "Unknown Attribute Foo."):
        resolve_attribute_names(["Foo"], fifo=False)
    with aws_error("InvalidAttributeName", "Unknown Attribute FifoQueue."):
        resolve_attribute_names(["FifoQueue"], fifo=False)


def test_select_attributes_for_all() -> None:
    stored = initial_attributes({}, fifo=False)
    computed = computed_attributes(
        queue_arn="arn:aws:sqs:us-east-1:000000000000:q",
        created_timestamp=1_700_000_000.9,
        last_modified_timestamp=1_700_000_001.2,
        visible=3,
        not_visible=1,
        delayed=0,
    )
    result = select_attributes(stored, computed, resolve_attribute_names(["All"], fifo=False))
    # AWS-recorded key set for a default standard queue; timestamps are epoch seconds.
    assert result == {
        "ApproximateNumberOfMessages": "3",
        "ApproximateNumberOfMessagesDelayed": "0",
        "ApproximateNumberOfMessagesNotVisible": "1",
        "CreatedTimestamp": "1700000000",
        "DelaySeconds": "0",
        "LastModifiedTimestamp": "1700000001",
        "MaximumMessageSize": "1048576",
        "MessageRetentionPeriod": "345600",
        "QueueArn": "arn:aws:sqs:us-east-1:000000000000:q",
        "ReceiveMessageWaitTimeSeconds": "0",
        "SqsManagedSseEnabled": "true",
        "VisibilityTimeout": "30",
    }
    assert select_attributes(stored, computed, ["Policy"]) == {}


def test_queue_config() -> None:
    stored = initial_attributes(
        validate_create_attributes(
            {
                "FifoQueue": "true",
                "ContentBasedDeduplication": "true",
                "VisibilityTimeout": "60",
                "RedrivePolicy": json.dumps({"deadLetterTargetArn": DLQ + ".fifo", "maxReceiveCount": 2}),
            },
            fifo=True,
        ),
        fifo=True,
    )
    config = QueueConfig.from_attributes(stored)
    assert config.fifo and config.content_based_deduplication
    assert config.visibility_timeout == 60 and config.maximum_message_size == 1_048_576
    assert config.redrive_policy is not None and config.redrive_policy.max_receive_count == 2
    assert config.redrive_allow_policy is None
    assert config.send_rules() == QueueSendRules(fifo=True, content_based_deduplication=True)
    standard = QueueConfig.from_attributes(STANDARD_DEFAULTS)
    assert not standard.fifo and standard.deduplication_scope == "queue" and standard.redrive_policy is None


@given(name=st.sampled_from(SETTABLE_ATTRIBUTES), value=st.text(max_size=40))
def test_any_value_is_normalized_or_an_aws_error(name: str, value: str) -> None:
    try:
        normalized = normalize_value(name, value)
    except AwsError as error:
        assert error.code in ("InvalidAttributeValue", "InvalidParameterValueException")
        return
    if normalized:
        assert normalize_value(name, normalized) == normalized  # normalizing is idempotent
