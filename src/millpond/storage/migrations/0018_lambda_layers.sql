-- Lambda layers: the last version number each layer handed out (numbers are never reused, even after every
-- version is deleted), and the versions, whose zips live in lambda_code by Content.CodeSha256. A deleted
-- version keeps its row, marked, because functions that reference it still run with its content.
CREATE TABLE lambda_layers (
    name         TEXT PRIMARY KEY,
    last_version INTEGER NOT NULL
);
CREATE TABLE lambda_layer_versions (
    name     TEXT NOT NULL,
    version  INTEGER NOT NULL,
    document TEXT NOT NULL,            -- JSON: as GetLayerVersion shows it
    policy   TEXT NOT NULL,            -- JSON: the version's policy statements
    revision TEXT NOT NULL,            -- the policy's RevisionId
    deleted  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (name, version)
);
