"""IAM enforcement on the request path (--enforce-iam): SigV4 against the keys millpond knows, then the
caller's policies and the resource's policy for each check the operation's table names.

The gateway calls `authenticate` before parsing and `authorize` after; both raise the service's own
AwsError. Resource policies and tags are read through the providers (queue Policy, Lambda function
policy, Kinesis resource policy). Header signatures are checked against wall-clock time (clients sign
with theirs); presigned URLs expire on millpond's virtual clock, so advancing it expires them.
"""

from __future__ import annotations

import json
import time
from typing import Any, cast
from urllib.parse import parse_qs

from millpond.clock import Clock
from millpond.config import Settings
from millpond.context import RequestContext
from millpond.errors import AwsError
from millpond.protocol import sigv2, sigv4
from millpond.protocol.http import HttpRequest
from millpond.protocol.routing import Route
from millpond.services.apigateway.provider import ApiGatewayProvider
from millpond.services.iam import auth_errors, service_checks
from millpond.services.iam.actions import ANY, Call, checks_for
from millpond.services.iam.authorization import (
    Decision,
    Principal,
    authorize,
    denied_message,
    principal_context,
    resource_policy,
)
from millpond.services.iam.evaluation import Policy, Request, context_of, evaluate
from millpond.services.iam.identity import Credential, Identities
from millpond.services.iam.provider import IamProvider
from millpond.services.kinesis.provider import KinesisProvider
from millpond.services.lambda_ import functions
from millpond.services.lambda_.provider import LambdaProvider
from millpond.services.s3.provider import S3Provider
from millpond.services.sns.provider import SnsProvider
from millpond.services.sqs import names
from millpond.services.sqs.provider import SqsProvider
from millpond.services.sts.provider import StsProvider

_ROLE_OPERATIONS = ("CreateFunction", "UpdateFunctionConfiguration")
# AWS serves an SNS message's SubscribeURL and UnsubscribeURL to anyone who has the link (unsigned GETs).
_ANONYMOUS = {("sns", "ConfirmSubscription"), ("sns", "Unsubscribe")}
SNS_PRINCIPAL = "sns.amazonaws.com"

# Who sent an unsigned S3 request.
ANONYMOUS = object()


class IamAuthorizer:
    def __init__(self, identities: Identities, providers: dict[str, object], clock: Clock) -> None:
        self.identities = identities
        self.providers = providers
        self.clock = clock

    # -- authentication ------------------------------------------------------------------------------------

    def authenticate(self, found: Route, request: HttpRequest) -> object:
        service = found.service
        header = request.headers.get("authorization", "")
        if found.scope is None and service == "s3" and (v2 := sigv2.signed_v2(request)) is not None:
            return self._authenticate_v2(request, v2)
        if (
            found.scope is None
            and service == "s3"
            and not header
            and "X-Amz-Credential" not in request.query_string
        ):
            return ANONYMOUS  # S3 serves unsigned requests when the bucket policy allows everyone
        if found.scope is None:
            anonymous = not header and "X-Amz-Credential" not in request.query_string
            if anonymous and request.method == "GET" and (service, found.operation.name) in _ANONYMOUS:
                return None
            if anonymous:
                raise auth_errors.missing_token(service)
            raise auth_errors.auth_error(service, "IncompleteSignature", "Authorization header is malformed.")
        credential = self.identities.find(found.scope.access_key_id)
        if credential is None:
            raise auth_errors.unknown_key(service)
        presigned = not header.startswith(sigv4.ALGORITHM)
        failure = sigv4.verify(request, credential.secret, self.clock.now() if presigned else time.time())
        if failure is not None:
            raise auth_errors.auth_error(service, failure.reason, failure.message)
        if credential.session_token is not None:
            token = request.headers.get("x-amz-security-token")
            if token is None and presigned:
                token = next(iter(parse_qs(request.query_string).get("X-Amz-Security-Token", [])), None)
            if token != credential.session_token:
                raise auth_errors.unknown_key(service)
            if credential.expiration is not None and credential.expiration <= self.clock.now():
                raise auth_errors.expired_token(service)
        return credential

    def _authenticate_v2(self, request: HttpRequest, signed: sigv2.SignedV2) -> object:
        credential = self.identities.find(signed.access_key_id)
        if credential is None:
            raise auth_errors.unknown_key("s3")
        failure = sigv2.verify_v2(request, signed, credential.secret, self.clock.now())
        if failure is not None:
            raise auth_errors.auth_error("s3", failure.reason, failure.message)
        if credential.session_token is not None and request.headers.get("x-amz-security-token") != (
            credential.session_token
        ):
            raise auth_errors.unknown_key("s3")
        return credential

    # -- authorization -------------------------------------------------------------------------------------

    def authorize(
        self,
        identity: object,
        found: Route,
        request: HttpRequest,
        params: dict[str, Any],
        ctx: RequestContext,
    ) -> None:
        if identity is None:  # an anonymous SNS link (authenticate let only those through)
            return
        if identity is ANONYMOUS:
            self._authorize_anonymous(found, request, params, ctx)
            return
        principal = cast(Credential, identity).principal
        service, operation = found.service, found.operation.name
        if not principal.root:
            call = Call(
                service,
                operation,
                params,
                ctx.region,
                ctx.account_id,
                principal.arn,
                request.method,
                request.path,
            )
            extra = {
                "aws:SourceIp": [request.client_ip] if request.client_ip else [],
                "aws:SecureTransport": ["true" if ctx.endpoint_url.startswith("https") else "false"],
                "aws:RequestedRegion": [ctx.region],
            }
            base = principal_context(principal, self.clock.now(), {k: v for k, v in extra.items() if v})
            for check in checks_for(call):
                context = {**base, **context_of(check.context), **self._resource_tags(check.resource)}
                policies = {check.resource: self.resource_policy(check.resource)}
                decision = authorize(principal, check.action, [check.resource], context, policies)
                self._raise_if_denied(principal, decision, service)
            if service == "lambda" and operation in _ROLE_OPERATIONS and params.get("Role"):
                passed = {**base, **context_of({"iam:PassedToService": [service_checks.LAMBDA]})}
                decision = authorize(principal, "iam:PassRole", [str(params["Role"])], passed, {})
                self._raise_if_denied(principal, decision, service)
        if service == "lambda":
            self._lambda_checks(operation, params, ctx)

    def _authorize_anonymous(
        self, found: Route, request: HttpRequest, params: dict[str, Any], ctx: RequestContext
    ) -> None:
        """An unsigned S3 request: allowed only by a bucket policy statement for Principal "*"."""
        call = Call(
            found.service, found.operation.name, params, ctx.region, ctx.account_id, "", request.method
        )
        extra = context_of({"aws:SourceIp": [request.client_ip]} if request.client_ip else {})
        for check in checks_for(call):
            policy = self.resource_policy(check.resource)
            asked = Request(check.action, check.resource, context={**extra, **context_of(check.context)})
            if not evaluate([policy] if policy is not None else [], asked).allowed:
                raise auth_errors.auth_error("s3", "denied", "Access Denied")

    def _raise_if_denied(self, principal: Principal, decision: Decision, service: str) -> None:
        if not decision.allowed:
            raise auth_errors.auth_error(service, "denied", denied_message(principal, decision, service))

    def _lambda_checks(self, operation: str, params: dict[str, Any], ctx: RequestContext) -> None:
        if operation in _ROLE_OPERATIONS and params.get("Role"):
            role = self.identities.iam.role(str(params["Role"]).rsplit("/", 1)[-1])
            service_checks.check_lambda_can_assume(role)
        if operation == "CreateEventSourceMapping" and params.get("EventSourceArn"):
            provider = self.providers.get("lambda")
            try:
                name, _ = functions.parse_ref(str(params.get("FunctionName", "")))
            except AwsError:
                return  # the operation answers a malformed name itself
            record = provider.repository.get_function(name) if isinstance(provider, LambdaProvider) else None
            if record is None:
                return
            executor = self.identities.role(str(record.config.get("Role", "")))
            source = str(params["EventSourceArn"])
            if executor is None:
                raise service_checks.invalid_parameter(
                    "The role defined for the function cannot be assumed by Lambda."
                )
            service_checks.check_source_readable(
                executor, source, self.resource_policy(source), self.clock.now()
            )

    def apigateway_may_invoke(self, function_ref: str, source_arn: str) -> bool:
        """Whether the function's resource policy lets API Gateway invoke it for `source_arn`."""
        provider = self.providers.get("lambda")
        try:
            name, qualifier = functions.parse_ref(function_ref)
        except AwsError:
            return False
        record = provider.repository.get_function(name) if isinstance(provider, LambdaProvider) else None
        if record is None:
            return True  # the invoke itself answers a missing function
        account = self.identities.account
        # The function lives in the region its ARN (from the integration URI) names, else the API's.
        ref = functions.FUNCTION_REF.match(function_ref)
        region = (ref.group("region") if ref is not None else None) or source_arn.split(":")[3]
        arn = functions.function_arn(region, account, name, qualifier)
        return service_checks.service_may_invoke(
            record.policy, arn, "apigateway.amazonaws.com", source_arn, account
        )

    def sns_may_deliver(self, topic_arn: str, endpoint_arn: str) -> bool:
        """Whether the queue's (or function's) resource policy lets SNS deliver `topic_arn`'s messages."""
        account = self.identities.account
        service = endpoint_arn.split(":")[2] if endpoint_arn.count(":") >= 5 else ""
        sqs, lambda_ = self.providers.get("sqs"), self.providers.get("lambda")
        if service == "sqs" and isinstance(sqs, SqsProvider):
            queue = sqs.queues.find_by_arn(endpoint_arn)
            if queue is None:
                return True  # the send itself answers a missing queue
            policy = _json(queue.record.attributes.get("Policy"))
            return service_checks.service_may_send(policy, endpoint_arn, SNS_PRINCIPAL, topic_arn, account)
        if service == "lambda" and isinstance(lambda_, LambdaProvider) and ":function:" in endpoint_arn:
            record = lambda_.repository.get_function(endpoint_arn.split(":function:")[1].split(":")[0])
            if record is None:
                return True
            return service_checks.service_may_invoke(
                record.policy, endpoint_arn, SNS_PRINCIPAL, topic_arn, account
            )
        return True

    # -- resources -----------------------------------------------------------------------------------------

    def resource_policy(self, arn: str) -> Policy | None:
        """The resource-based policy on `arn`: a queue's Policy, a function's, a stream's."""
        if arn == ANY or arn.count(":") < 5:
            return None
        service = arn.split(":")[2]
        sqs, kinesis, lambda_ = (self.providers.get(n) for n in ("sqs", "kinesis", "lambda"))
        if service == "sqs" and isinstance(sqs, SqsProvider):
            queue = sqs.queues.find_by_arn(arn)
            text = queue.record.attributes.get("Policy") if queue is not None else None
            return resource_policy(arn, _json(text))
        if service == "kinesis" and isinstance(kinesis, KinesisProvider):
            stream = arn.split("/consumer/")[0]
            return resource_policy(arn, _json(kinesis.core.repo.policy(stream)))
        if service == "lambda" and isinstance(lambda_, LambdaProvider) and ":function:" in arn:
            record = lambda_.repository.get_function(arn.split(":function:")[1].split(":")[0])
            if record is not None and record.policy:
                return resource_policy(arn, {"Version": "2012-10-17", "Statement": record.policy})
        sns = self.providers.get("sns")
        if service == "sns" and isinstance(sns, SnsProvider):
            topic = sns.repository.get_topic(arn)
            return resource_policy(
                arn, _json(topic["Attributes"].get("Policy") if topic is not None else None)
            )
        s3 = self.providers.get("s3")
        if service == "s3" and isinstance(s3, S3Provider):
            return resource_policy(arn, _json(s3.bucket_policy(arn.split(":::", 1)[-1].split("/", 1)[0])))
        return None

    def _resource_tags(self, arn: str) -> dict[str, list[str]]:
        tags: dict[str, str] = {}
        if arn != ANY and arn.count(":") >= 5:
            service = arn.split(":")[2]
            sqs, kinesis, lambda_ = (self.providers.get(n) for n in ("sqs", "kinesis", "lambda"))
            if service == "sqs" and isinstance(sqs, SqsProvider) and names.parse_arn(arn) is not None:
                queue = sqs.queues.find_by_arn(arn)
                tags = queue.record.tags if queue is not None else {}
            elif service == "kinesis" and isinstance(kinesis, KinesisProvider):
                tags = kinesis.core.repo.tags(arn.split("/consumer/")[0])
            elif service == "lambda" and isinstance(lambda_, LambdaProvider) and ":function:" in arn:
                record = lambda_.repository.get_function(arn.split(":function:")[1].split(":")[0])
                tags = record.tags if record is not None else {}
            elif service == "sns" and isinstance(sns := self.providers.get("sns"), SnsProvider):
                topic = sns.repository.get_topic(arn)
                tags = dict(topic["Tags"]) if topic is not None else {}
        return context_of({f"aws:ResourceTag/{k}": [v] for k, v in tags.items()})


def _json(text: str | None) -> dict[str, Any] | None:
    if not text:
        return None
    try:
        found = json.loads(text)
    except ValueError:
        return None
    return found if isinstance(found, dict) else None


def build_authorizer(settings: Settings, clock: Clock, providers: dict[str, object]) -> IamAuthorizer:
    """The authorizer over the built providers; also makes API Gateway check function policies and SNS
    check queue and function policies before it delivers."""
    iam, sts = providers["iam"], providers["sts"]
    assert isinstance(iam, IamProvider) and isinstance(sts, StsProvider)
    identities = Identities(
        iam, sts.repository, settings.account_id, settings.root_access_key_id, settings.root_secret_access_key
    )
    authorizer = IamAuthorizer(identities, providers, clock)
    apigateway = providers.get("apigateway")
    if isinstance(apigateway, ApiGatewayProvider):
        apigateway.data_plane.invoke_permission = authorizer.apigateway_may_invoke
    sns = providers.get("sns")
    if isinstance(sns, SnsProvider):  # SNS delivers only where the queue or function policy lets it
        sns.deliverer.targets.permission = authorizer.sns_may_deliver
    return authorizer
