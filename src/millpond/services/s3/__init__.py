"""Amazon S3: buckets, objects, versions, multipart uploads and event notifications."""
