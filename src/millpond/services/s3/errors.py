"""S3's errors, worded and coded as S3 answers them (status, and the BucketName/Key fields it adds)."""

from __future__ import annotations

from millpond.errors import AwsError


def no_such_bucket(name: str) -> AwsError:
    return AwsError("NoSuchBucket", "The specified bucket does not exist", 404, fields={"BucketName": name})


def no_such_key(key: str, delete_marker: bool = False) -> AwsError:
    fields: dict[str, object] = {"Key": key}
    if delete_marker:
        fields["header:x-amz-delete-marker"] = "true"
    return AwsError("NoSuchKey", "The specified key does not exist.", 404, fields=fields)


def no_such_version(key: str, version_id: str) -> AwsError:
    return AwsError(
        "NoSuchVersion",
        "The specified version does not exist.",
        404,
        fields={"Key": key, "VersionId": version_id},
    )


def no_such_upload(upload_id: str) -> AwsError:
    return AwsError(
        "NoSuchUpload",
        "The specified upload does not exist. The upload ID may be invalid, or the upload may have been "
        "aborted or completed.",
        404,
        fields={"UploadId": upload_id},
    )


def invalid_argument(message: str, name: str | None = None, value: str | None = None) -> AwsError:
    fields = {"ArgumentName": name, "ArgumentValue": value} if name else {}
    return AwsError("InvalidArgument", message, 400, fields=fields)


def invalid_request(message: str) -> AwsError:
    return AwsError("InvalidRequest", message, 400)


def bad_digest(what: str) -> AwsError:
    if what == "Content-MD5":
        return AwsError("BadDigest", "The Content-MD5 you specified did not match what we received.", 400)
    return AwsError("BadDigest", f"The {what} you specified did not match the calculated checksum.", 400)


def precondition_failed(condition: str) -> AwsError:
    return AwsError(
        "PreconditionFailed",
        "At least one of the pre-conditions you specified did not hold",
        412,
        fields={"Condition": condition},
    )


def not_modified() -> AwsError:
    return AwsError("NotModified", "Not Modified", 304)


def invalid_range(size: int) -> AwsError:
    return AwsError(
        "InvalidRange",
        "The requested range is not satisfiable",
        416,
        fields={"ActualObjectSize": size, "header:Content-Range": f"bytes */{size}"},
    )


def malformed_xml() -> AwsError:
    return AwsError(
        "MalformedXML",
        "The XML you provided was not well-formed or did not validate against our published schema",
        400,
    )
