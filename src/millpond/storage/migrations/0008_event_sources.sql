-- Lambda event source mappings (documents as GetEventSourceMapping returns them) and stream checkpoints.
CREATE TABLE lambda_event_source_mappings (
    uuid          TEXT PRIMARY KEY,
    function_name TEXT NOT NULL,
    source_arn    TEXT NOT NULL,
    created_seq   INTEGER NOT NULL,      -- listing order
    document      TEXT NOT NULL          -- JSON
);
CREATE INDEX lambda_esm_source ON lambda_event_source_mappings (source_arn);
CREATE INDEX lambda_esm_function ON lambda_event_source_mappings (function_name);
-- How far a stream mapping has processed each shard.
CREATE TABLE lambda_esm_checkpoints (
    uuid         TEXT NOT NULL,
    shard        INTEGER NOT NULL,       -- the shard's index
    position     INTEGER NOT NULL,       -- the stream position of the last record processed
    min_arrival  DOUBLE PRECISION NOT NULL DEFAULT 0,
    finished     INTEGER NOT NULL DEFAULT 0,
    window_state TEXT,                   -- JSON: the open tumbling window and its state
    PRIMARY KEY (uuid, shard)
);
