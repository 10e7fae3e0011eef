-- Lambda: functions ($LATEST document), published versions, aliases, code archives and queued async events.
CREATE TABLE lambda_functions (
    name     TEXT PRIMARY KEY,
    document TEXT NOT NULL            -- JSON: configuration, tags, concurrency, policy, event invoke configs
);
CREATE TABLE lambda_versions (
    name     TEXT NOT NULL,
    version  INTEGER NOT NULL,
    config   TEXT NOT NULL,           -- JSON: the configuration as published
    PRIMARY KEY (name, version)
);
CREATE TABLE lambda_aliases (
    name     TEXT NOT NULL,
    alias    TEXT NOT NULL,
    document TEXT NOT NULL,           -- JSON: the alias configuration
    PRIMARY KEY (name, alias)
);
-- Code archives by CodeSha256, shared by the versions that use them.
CREATE TABLE lambda_code (
    sha256 TEXT PRIMARY KEY,
    zip    BLOB NOT NULL
);
-- Event (async) invocations waiting for a worker, with their retry schedule.
CREATE TABLE lambda_async_events (
    id           TEXT PRIMARY KEY,    -- the request id handed back to the caller
    name         TEXT NOT NULL,
    qualifier    TEXT NOT NULL,
    payload      BLOB NOT NULL,
    attempts     INTEGER NOT NULL,
    received_at  DOUBLE PRECISION NOT NULL,  -- epoch seconds
    next_at      DOUBLE PRECISION NOT NULL   -- epoch seconds
);
CREATE INDEX lambda_async_events_next ON lambda_async_events (next_at);
