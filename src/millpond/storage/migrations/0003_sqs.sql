-- SQS: queues, recently deleted names (the 60 s rule), messages, FIFO deduplication ids, message move tasks.
CREATE TABLE sqs_queues (
    id                   INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: a late write cannot reach a new queue
    account_id           TEXT NOT NULL,
    region               TEXT NOT NULL,
    name                 TEXT NOT NULL,
    fifo                 INTEGER NOT NULL,
    attributes           TEXT NOT NULL,            -- JSON object of the settable attributes, as returned
    tags                 TEXT NOT NULL DEFAULT '{}',
    created_at           DOUBLE PRECISION NOT NULL,
    modified_at          DOUBLE PRECISION NOT NULL,
    last_purged_at       DOUBLE PRECISION,
    last_sequence_number TEXT,                     -- FIFO: the last SequenceNumber handed out
    UNIQUE (account_id, region, name)
);

CREATE TABLE sqs_deleted_queues (
    account_id TEXT NOT NULL,
    region     TEXT NOT NULL,
    name       TEXT NOT NULL,
    deleted_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (account_id, region, name)
);

-- seq orders messages (FIFO order); visible_at > now means in flight (received) or delayed (never received).
CREATE TABLE sqs_messages (
    seq               INTEGER PRIMARY KEY,
    queue_id          INTEGER NOT NULL,
    message_id        TEXT NOT NULL,
    body              TEXT NOT NULL,
    attributes        TEXT,                        -- JSON: message attributes (binary values in base64)
    system_attributes TEXT,                        -- JSON: SenderId, AWSTraceHeader, DeadLetterQueueSourceArn
    size              INTEGER NOT NULL,
    sent_at           DOUBLE PRECISION NOT NULL,
    visible_at        DOUBLE PRECISION NOT NULL,
    expires_at        DOUBLE PRECISION NOT NULL,
    receive_count     INTEGER NOT NULL DEFAULT 0,
    first_received_at DOUBLE PRECISION,
    received_at       DOUBLE PRECISION,            -- the latest receive (the 12 h visibility cap counts from it)
    group_id          TEXT,
    dedup_id          TEXT,
    sequence_number   TEXT,
    source_arn        TEXT                         -- the queue it was dead-lettered from
);
CREATE INDEX sqs_messages_ready ON sqs_messages (queue_id, visible_at, seq);
CREATE INDEX sqs_messages_order ON sqs_messages (queue_id, seq);
CREATE INDEX sqs_messages_id ON sqs_messages (message_id);

CREATE TABLE sqs_deduplication (
    queue_id        INTEGER NOT NULL,
    dedup_key       TEXT NOT NULL,
    message_id      TEXT NOT NULL,
    sequence_number TEXT NOT NULL,
    sent_at         DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (queue_id, dedup_key)
);

CREATE TABLE sqs_move_tasks (
    task_handle     TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL,
    region          TEXT NOT NULL,
    source_arn      TEXT NOT NULL,
    destination_arn TEXT,
    max_per_second  INTEGER,
    status          TEXT NOT NULL,
    moved           INTEGER NOT NULL DEFAULT 0,
    to_move         INTEGER NOT NULL DEFAULT 0,
    started_at      DOUBLE PRECISION NOT NULL,
    failure_reason  TEXT
);
CREATE INDEX sqs_move_tasks_source ON sqs_move_tasks (source_arn, started_at);
