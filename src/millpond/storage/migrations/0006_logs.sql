-- CloudWatch Logs: groups, streams and events (timestamps in epoch milliseconds).
CREATE TABLE log_groups (
    name           TEXT PRIMARY KEY,
    created        BIGINT NOT NULL,
    retention_days INTEGER,
    tags           TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE log_streams (
    log_group      TEXT NOT NULL REFERENCES log_groups (name) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    created        BIGINT NOT NULL,
    first_event    BIGINT,
    last_event     BIGINT,
    last_ingestion BIGINT,
    stored_bytes   BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (log_group, name)
);
CREATE TABLE log_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    log_group  TEXT NOT NULL,
    log_stream TEXT NOT NULL,
    timestamp  BIGINT NOT NULL,
    ingestion  BIGINT NOT NULL,
    message    TEXT NOT NULL,
    FOREIGN KEY (log_group, log_stream) REFERENCES log_streams (log_group, name) ON DELETE CASCADE
);
CREATE INDEX log_events_stream ON log_events (log_group, log_stream, timestamp, id);
CREATE INDEX log_events_group ON log_events (log_group, timestamp, id);
