-- CloudWatch Logs: metric filters, subscription filters and Logs Insights queries.
CREATE TABLE log_metric_filters (
    log_group       TEXT NOT NULL,
    name            TEXT NOT NULL,
    pattern         TEXT NOT NULL,
    transformations TEXT NOT NULL,
    created         BIGINT NOT NULL,
    PRIMARY KEY (log_group, name)
);
CREATE TABLE log_subscription_filters (
    log_group    TEXT NOT NULL,
    name         TEXT NOT NULL,
    pattern      TEXT NOT NULL,
    destination  TEXT NOT NULL,
    role_arn     TEXT,
    distribution TEXT NOT NULL,
    created      BIGINT NOT NULL,
    PRIMARY KEY (log_group, name)
);
CREATE TABLE log_queries (
    id         TEXT PRIMARY KEY,
    query      TEXT NOT NULL,
    groups     TEXT NOT NULL,
    start_time BIGINT NOT NULL,
    end_time   BIGINT NOT NULL,
    max_rows   INTEGER,
    status     TEXT NOT NULL,
    created    BIGINT NOT NULL,
    results    TEXT NOT NULL DEFAULT '[]',
    statistics TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX log_queries_created ON log_queries (created);
-- Documents Logs only stores and returns: resource, data protection and account policies, query
-- definitions, destinations, a group's KMS key. `kind` says which; the body is the described JSON.
CREATE TABLE log_documents (
    kind    TEXT NOT NULL,
    name    TEXT NOT NULL,
    body    TEXT NOT NULL,
    updated BIGINT NOT NULL,
    PRIMARY KEY (kind, name)
);
