-- Kinesis Data Streams: streams, shards, records, tags, consumers, resource policies, account settings.
CREATE TABLE kinesis_streams (
    pk               INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused, so old iterators never reach a new stream
    account_id       TEXT NOT NULL,
    region           TEXT NOT NULL,
    name             TEXT NOT NULL,
    created_at       DOUBLE PRECISION NOT NULL,         -- epoch seconds
    status           TEXT NOT NULL,                     -- CREATING / UPDATING until settles_at, then ACTIVE
    settles_at       DOUBLE PRECISION NOT NULL,
    mode             TEXT NOT NULL,                     -- PROVISIONED or ON_DEMAND
    retention_hours  INTEGER NOT NULL,
    encryption_type  TEXT NOT NULL,
    key_id           TEXT,
    shard_metrics    TEXT NOT NULL,                     -- JSON list of enhanced (shard-level) metric names
    max_record_kib   INTEGER NOT NULL,
    warm_throughput  INTEGER,
    next_shard_index INTEGER NOT NULL,
    shard_epoch      INTEGER NOT NULL,                  -- grows at every reshard
    mode_changes     TEXT NOT NULL,                     -- JSON list of epoch seconds
    scalings         TEXT NOT NULL,                     -- JSON list of epoch seconds
    distribution     TEXT NOT NULL,                     -- USER_PARTITION_KEY or AUTO
    UNIQUE (account_id, region, name)
);

-- Hash keys are 128-bit: stored as decimal text. Positions are values of the records' counter.
CREATE TABLE kinesis_shards (
    stream_pk         INTEGER NOT NULL,
    shard_index       INTEGER NOT NULL,
    parent_index      INTEGER,
    adjacent_index    INTEGER,
    start_hash        TEXT NOT NULL,
    end_hash          TEXT NOT NULL,
    starting_position INTEGER NOT NULL,
    ending_position   INTEGER,                          -- NULL while the shard is open
    created_at        DOUBLE PRECISION NOT NULL,
    closed_at         DOUBLE PRECISION,
    PRIMARY KEY (stream_pk, shard_index)
);

-- position is the counter (AUTOINCREMENT keeps it growing even after trimming empties the table).
CREATE TABLE kinesis_records (
    position      INTEGER PRIMARY KEY AUTOINCREMENT,
    stream_pk     INTEGER NOT NULL,
    shard_index   INTEGER NOT NULL,
    arrival       DOUBLE PRECISION NOT NULL,
    partition_key TEXT NOT NULL,
    data          BLOB NOT NULL
);
-- Reading a shard from a position is a range scan of this index; arrival rides along for AT_TIMESTAMP
-- and retention without touching the rows.
CREATE INDEX kinesis_records_by_shard ON kinesis_records (stream_pk, shard_index, position, arrival);

-- Tags of streams and consumers, by ARN; stream_pk lets DeleteStream remove them all.
CREATE TABLE kinesis_tags (
    arn       TEXT NOT NULL,
    stream_pk INTEGER NOT NULL,
    tag_key   TEXT NOT NULL,
    tag_value TEXT NOT NULL,
    PRIMARY KEY (arn, tag_key)
);
CREATE INDEX kinesis_tags_by_stream ON kinesis_tags (stream_pk);

CREATE TABLE kinesis_consumers (
    stream_pk  INTEGER NOT NULL,
    name       TEXT NOT NULL,
    arn        TEXT NOT NULL UNIQUE,
    created_at DOUBLE PRECISION NOT NULL,
    status     TEXT NOT NULL,
    settles_at DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (stream_pk, name)
);

-- Resource policies of streams and consumers, by ARN; stream_pk lets DeleteStream remove them all.
CREATE TABLE kinesis_policies (
    arn       TEXT PRIMARY KEY,
    stream_pk INTEGER NOT NULL,
    policy    TEXT NOT NULL
);
CREATE INDEX kinesis_policies_by_stream ON kinesis_policies (stream_pk);

CREATE TABLE kinesis_account_settings (
    account_id TEXT NOT NULL,
    region     TEXT NOT NULL,
    name       TEXT NOT NULL,
    value      TEXT NOT NULL,
    PRIMARY KEY (account_id, region, name)
);
