"""How each service words an authentication or authorisation failure (code, HTTP status).

Query-protocol services (SQS in both protocols, IAM, STS, CloudWatch) use the AWS common error codes;
the JSON services (Kinesis, Logs) and Lambda use *Exception names (Kinesis and Logs answer 400, Lambda
403). Sources: AWS "Common Errors" reference pages; error bodies recorded from real services in public
issue threads (Kinesis/Logs InvalidSignatureException and UnrecognizedClientException, Lambda
AccessDeniedException 403, SQS AccessDenied 403).
"""

from __future__ import annotations

from millpond.errors import AwsError

INVALID_TOKEN = "The security token included in the request is invalid."
EXPIRED_TOKEN = "The security token included in the request is expired"
MISSING_TOKEN = "Request is missing Authentication Token"

_QUERY = {
    "unknown_key": ("InvalidClientTokenId", 403),
    "denied": ("AccessDenied", 403),
    "SignatureDoesNotMatch": ("SignatureDoesNotMatch", 403),
    "SignatureExpired": ("SignatureDoesNotMatch", 403),
    "IncompleteSignature": ("IncompleteSignature", 400),
    "RequestExpired": ("RequestExpired", 400),
    "missing": ("MissingAuthenticationToken", 403),
    "expired_token": ("ExpiredToken", 403),
}


def _json(status: int) -> dict[str, tuple[str, int]]:
    return {
        "unknown_key": ("UnrecognizedClientException", status),
        "denied": ("AccessDeniedException", status),
        "SignatureDoesNotMatch": ("InvalidSignatureException", status),
        "SignatureExpired": ("InvalidSignatureException", status),
        "IncompleteSignature": ("IncompleteSignatureException", status),
        "RequestExpired": ("InvalidSignatureException", status),
        "missing": ("MissingAuthenticationTokenException", status),
        "expired_token": ("ExpiredTokenException", status),
    }


_S3 = {
    "unknown_key": ("InvalidAccessKeyId", 403),
    "denied": ("AccessDenied", 403),
    "SignatureDoesNotMatch": ("SignatureDoesNotMatch", 403),
    "SignatureExpired": ("RequestTimeTooSkewed", 403),
    "IncompleteSignature": ("AuthorizationHeaderMalformed", 400),
    "RequestExpired": ("AccessDenied", 403),
    "missing": ("AccessDenied", 403),
    "expired_token": ("ExpiredToken", 400),
}

CODES: dict[str, dict[str, tuple[str, int]]] = {
    "sqs": _QUERY,
    "iam": _QUERY,
    "sts": _QUERY,
    "cloudwatch": _QUERY,
    "kinesis": _json(400),
    "logs": _json(400),
    "lambda": _json(403),
    "apigateway": _json(403),
    # SNS refuses with its own modeled error (code AuthorizationError, 403).
    "sns": {**_QUERY, "denied": ("AuthorizationErrorException", 403)},
    "s3": _S3,
}


def auth_error(service: str, kind: str, message: str) -> AwsError:
    """kind: unknown_key, denied, missing, expired_token, or a sigv4 failure reason."""
    code, status = CODES.get(service, _QUERY).get(kind, ("AccessDenied", 403))
    return AwsError(code, message, status)


def unknown_key(service: str) -> AwsError:
    if service == "s3":
        return auth_error(
            service, "unknown_key", "The AWS Access Key Id you provided does not exist in our records."
        )
    return auth_error(service, "unknown_key", INVALID_TOKEN)


def expired_token(service: str) -> AwsError:
    return auth_error(service, "expired_token", EXPIRED_TOKEN)


def missing_token(service: str) -> AwsError:
    message = (
        MISSING_TOKEN
        if CODES.get(service, {}).get("missing") == _QUERY["missing"]
        else "Missing Authentication Token"
    )
    return auth_error(service, "missing", message)
