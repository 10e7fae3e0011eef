-- S3: buckets (document: region, versioning, sub-resources), object versions, multipart uploads and parts.
-- Object bytes are files under the data directory; `blob` names one.
CREATE TABLE s3_buckets (
    name TEXT PRIMARY KEY,
    document TEXT NOT NULL
);

CREATE TABLE s3_objects (
    bucket TEXT NOT NULL,
    key TEXT NOT NULL,
    version_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    latest INTEGER NOT NULL,
    delete_marker INTEGER NOT NULL,
    blob TEXT,
    document TEXT NOT NULL,
    PRIMARY KEY (bucket, key, version_id)
);
CREATE INDEX s3_objects_latest ON s3_objects (bucket, latest, key);
CREATE INDEX s3_objects_order ON s3_objects (bucket, key, seq);

CREATE TABLE s3_uploads (
    upload_id TEXT PRIMARY KEY,
    bucket TEXT NOT NULL,
    key TEXT NOT NULL,
    document TEXT NOT NULL
);
CREATE INDEX s3_uploads_bucket ON s3_uploads (bucket, key);

CREATE TABLE s3_parts (
    upload_id TEXT NOT NULL,
    part_number INTEGER NOT NULL,
    blob TEXT NOT NULL,
    document TEXT NOT NULL,
    PRIMARY KEY (upload_id, part_number)
);
