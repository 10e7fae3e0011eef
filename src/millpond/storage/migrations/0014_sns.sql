-- SNS: topics and subscriptions (one JSON body each), the outbox of published messages and their
-- deliveries, FIFO deduplication entries and sequence numbers, and server-wide values (signing key).
CREATE TABLE sns_topics (
    arn        TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    region     TEXT NOT NULL,
    body       TEXT NOT NULL
);
CREATE INDEX sns_topics_owner ON sns_topics (account_id, region, arn);
CREATE TABLE sns_subscriptions (
    arn        TEXT PRIMARY KEY,
    topic_arn  TEXT NOT NULL,
    account_id TEXT NOT NULL,
    region     TEXT NOT NULL,
    body       TEXT NOT NULL
);
CREATE INDEX sns_subscriptions_topic ON sns_subscriptions (topic_arn, arn);
CREATE INDEX sns_subscriptions_owner ON sns_subscriptions (account_id, region, arn);
CREATE TABLE sns_messages (
    message_id TEXT PRIMARY KEY,
    body       TEXT NOT NULL
);
CREATE TABLE sns_deliveries (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id       TEXT NOT NULL,
    subscription_arn TEXT NOT NULL,
    due_at           REAL NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX sns_deliveries_due ON sns_deliveries (due_at, id);
CREATE INDEX sns_deliveries_message ON sns_deliveries (message_id);
CREATE TABLE sns_dedup (
    topic_arn  TEXT NOT NULL,
    dedup_key  TEXT NOT NULL,
    until      REAL NOT NULL,
    message_id TEXT NOT NULL,
    sequence   INTEGER,
    PRIMARY KEY (topic_arn, dedup_key)
);
CREATE TABLE sns_sequences (
    topic_arn TEXT PRIMARY KEY,
    last      INTEGER NOT NULL
);
CREATE TABLE sns_values (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
