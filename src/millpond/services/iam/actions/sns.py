"""SNS actions and resources (Service Authorization Reference, "Amazon SNS"): topic operations on the
topic ARN (CreateTopic on the one it would create; PublishBatch is sns:Publish), subscription and
account-wide operations on "*"."""

from __future__ import annotations

from millpond.services.iam.actions import ANY, Call, kinds

PREFIX = "sns"
RESOURCES: dict[str, tuple[str, ...]] = {
    "topic": (
        "AddPermission", "ConfirmSubscription", "DeleteTopic", "GetDataProtectionPolicy",
        "GetTopicAttributes", "ListSubscriptionsByTopic", "Publish", "PublishBatch",
        "PutDataProtectionPolicy", "RemovePermission", "SetTopicAttributes", "Subscribe",
    ),
    "topic_name": ("CreateTopic",),
    "resource": ("ListTagsForResource", "TagResource", "UntagResource"),
    ANY: (
        "CheckIfPhoneNumberIsOptedOut", "CreatePlatformApplication", "CreatePlatformEndpoint",
        "CreateSMSSandboxPhoneNumber", "DeleteEndpoint", "DeletePlatformApplication",
        "DeleteSMSSandboxPhoneNumber", "GetEndpointAttributes", "GetPlatformApplicationAttributes",
        "GetSMSAttributes", "GetSMSSandboxAccountStatus", "GetSubscriptionAttributes",
        "ListEndpointsByPlatformApplication", "ListOriginationNumbers", "ListPhoneNumbersOptedOut",
        "ListPlatformApplications", "ListSMSSandboxPhoneNumbers", "ListSubscriptions", "ListTopics",
        "OptInPhoneNumber", "SetEndpointAttributes", "SetPlatformApplicationAttributes", "SetSMSAttributes",
        "SetSubscriptionAttributes", "Unsubscribe", "VerifySMSSandboxPhoneNumber",
    ),
}  # fmt: skip
KIND_OF = kinds(RESOURCES)
ACTIONS = {"PublishBatch": "Publish"}


def arns(kind: str, call: Call) -> list[str]:
    params = call.params
    if kind == "topic":
        arn = params.get("TopicArn") or params.get("TargetArn") or params.get("ResourceArn")
        return [str(arn)] if arn else []
    if kind == "topic_name":
        return [f"arn:aws:sns:{call.region}:{call.account}:{params.get('Name', '')}"]
    if kind == "resource":
        return [str(params.get("ResourceArn") or ANY)]
    return [ANY]
