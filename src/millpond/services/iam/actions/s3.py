"""Amazon S3 actions and resources (Service Authorization Reference, "Amazon S3").

Object operations are checked against `arn:aws:s3:::<bucket>/<key>`, bucket operations against
`arn:aws:s3:::<bucket>`; S3 ARNs name no region or account. Several operations share an action
(HeadObject is s3:GetObject, ListObjectsV2 is s3:ListBucket, UploadPart is s3:PutObject).
"""

from __future__ import annotations

from millpond.services.iam.actions import ANY, Call, kinds

PREFIX = "s3"
RESOURCES: dict[str, tuple[str, ...]] = {
    "object": (
        "AbortMultipartUpload", "CompleteMultipartUpload", "CopyObject", "CreateMultipartUpload",
        "DeleteObject", "DeleteObjectAnnotation", "DeleteObjectTagging", "GetObject", "GetObjectAcl",
        "GetObjectAnnotation", "GetObjectAttributes", "GetObjectLegalHold", "GetObjectRetention",
        "GetObjectTagging", "GetObjectTorrent", "HeadObject", "ListObjectAnnotations", "ListParts",
        "PutObject", "PutObjectAcl", "PutObjectAnnotation", "PutObjectLegalHold", "PutObjectRetention",
        "PutObjectTagging", "RenameObject", "RestoreObject", "SelectObjectContent",
        "UpdateObjectEncryption", "UploadPart", "UploadPartCopy",
    ),
    "bucket": (
        "CreateBucket", "CreateBucketMetadataConfiguration", "CreateBucketMetadataTableConfiguration",
        "CreateSession", "DeleteBucket", "DeleteBucketAnalyticsConfiguration", "DeleteBucketCors",
        "DeleteBucketEncryption", "DeleteBucketIntelligentTieringConfiguration",
        "DeleteBucketInventoryConfiguration", "DeleteBucketLifecycle", "DeleteBucketMetadataConfiguration",
        "DeleteBucketMetadataTableConfiguration", "DeleteBucketMetricsConfiguration",
        "DeleteBucketOwnershipControls", "DeleteBucketPolicy", "DeleteBucketReplication",
        "DeleteBucketTagging", "DeleteBucketWebsite", "DeleteObjects", "DeletePublicAccessBlock",
        "GetBucketAbac", "GetBucketAccelerateConfiguration", "GetBucketAcl",
        "GetBucketAnalyticsConfiguration", "GetBucketCors", "GetBucketEncryption",
        "GetBucketIntelligentTieringConfiguration", "GetBucketInventoryConfiguration",
        "GetBucketLifecycle", "GetBucketLifecycleConfiguration", "GetBucketLocation", "GetBucketLogging",
        "GetBucketMetadataConfiguration", "GetBucketMetadataTableConfiguration",
        "GetBucketMetricsConfiguration", "GetBucketNotification", "GetBucketNotificationConfiguration",
        "GetBucketOwnershipControls", "GetBucketPolicy", "GetBucketPolicyStatus", "GetBucketReplication",
        "GetBucketRequestPayment", "GetBucketTagging", "GetBucketVersioning", "GetBucketWebsite",
        "GetObjectLockConfiguration", "GetPublicAccessBlock", "HeadBucket",
        "ListBucketAnalyticsConfigurations", "ListBucketIntelligentTieringConfigurations",
        "ListBucketInventoryConfigurations", "ListBucketMetricsConfigurations", "ListMultipartUploads",
        "ListObjectVersions", "ListObjects", "ListObjectsV2", "PutBucketAbac",
        "PutBucketAccelerateConfiguration", "PutBucketAcl", "PutBucketAnalyticsConfiguration",
        "PutBucketCors", "PutBucketEncryption", "PutBucketIntelligentTieringConfiguration",
        "PutBucketInventoryConfiguration", "PutBucketLifecycle", "PutBucketLifecycleConfiguration",
        "PutBucketLogging", "PutBucketMetricsConfiguration", "PutBucketNotification",
        "PutBucketNotificationConfiguration", "PutBucketOwnershipControls", "PutBucketPolicy",
        "PutBucketReplication", "PutBucketRequestPayment", "PutBucketTagging", "PutBucketVersioning",
        "PutBucketWebsite", "PutObjectLockConfiguration", "PutPublicAccessBlock",
        "UpdateBucketMetadataAnnotationTableConfiguration",
        "UpdateBucketMetadataInventoryTableConfiguration", "UpdateBucketMetadataJournalTableConfiguration",
    ),
    ANY: ("ListBuckets", "ListDirectoryBuckets", "WriteGetObjectResponse"),
}  # fmt: skip
KIND_OF = kinds(RESOURCES)
ACTIONS: dict[str, str] = {
    "HeadObject": "GetObject",
    "HeadBucket": "ListBucket",
    "ListObjects": "ListBucket",
    "ListObjectsV2": "ListBucket",
    "ListObjectVersions": "ListBucketVersions",
    "ListMultipartUploads": "ListBucketMultipartUploads",
    "ListParts": "ListMultipartUploadParts",
    "CopyObject": "PutObject",
    "CreateMultipartUpload": "PutObject",
    "UploadPart": "PutObject",
    "UploadPartCopy": "PutObject",
    "CompleteMultipartUpload": "PutObject",
    "DeleteObjects": "DeleteObject",
    "ListBuckets": "ListAllMyBuckets",
    "DeleteBucketCors": "PutBucketCORS",
    "PutBucketCors": "PutBucketCORS",
    "GetBucketCors": "GetBucketCORS",
    "GetBucketLifecycleConfiguration": "GetLifecycleConfiguration",
    "PutBucketLifecycleConfiguration": "PutLifecycleConfiguration",
    "DeleteBucketLifecycle": "PutLifecycleConfiguration",
    "GetBucketNotificationConfiguration": "GetBucketNotification",
    "PutBucketNotificationConfiguration": "PutBucketNotification",
    "DeleteBucketTagging": "PutBucketTagging",
    "DeletePublicAccessBlock": "PutBucketPublicAccessBlock",
    "PutPublicAccessBlock": "PutBucketPublicAccessBlock",
    "GetPublicAccessBlock": "GetBucketPublicAccessBlock",
    "DeleteBucketOwnershipControls": "PutBucketOwnershipControls",
}


def arns(kind: str, call: Call) -> list[str]:
    bucket = call.params.get("Bucket")
    if not bucket:
        return [ANY]
    if kind == "object":
        return [f"arn:aws:s3:::{bucket}/{call.params.get('Key', '')}"]
    return [f"arn:aws:s3:::{bucket}"]
