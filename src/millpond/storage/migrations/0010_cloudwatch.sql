-- CloudWatch: metrics and their statistic sets per (resolution, bucket start, unit), dashboards, alarms,
-- alarm history and tags. Times are epoch seconds.
CREATE TABLE cw_metrics (
    id         INTEGER PRIMARY KEY,
    account    TEXT NOT NULL,
    region     TEXT NOT NULL,
    namespace  TEXT NOT NULL,
    name       TEXT NOT NULL,
    dimensions TEXT NOT NULL,
    last_seen  REAL NOT NULL,
    UNIQUE (account, region, namespace, name, dimensions)
);
CREATE TABLE cw_points (
    metric_id  INTEGER NOT NULL,
    resolution INTEGER NOT NULL,
    ts         BIGINT NOT NULL,
    unit       TEXT NOT NULL,
    count      REAL NOT NULL,
    total      REAL NOT NULL,
    minimum    REAL NOT NULL,
    maximum    REAL NOT NULL,
    histogram  TEXT NOT NULL,
    hist_count REAL NOT NULL,
    PRIMARY KEY (metric_id, resolution, ts, unit)
);
CREATE INDEX cw_points_age ON cw_points (resolution, ts);
CREATE TABLE cw_dashboards (
    account       TEXT NOT NULL,
    name          TEXT NOT NULL,
    body          TEXT NOT NULL,
    last_modified REAL NOT NULL,
    PRIMARY KEY (account, name)
);
CREATE TABLE cw_alarms (
    account         TEXT NOT NULL,
    region          TEXT NOT NULL,
    name            TEXT NOT NULL,
    config          TEXT NOT NULL,
    state           TEXT NOT NULL,
    reason          TEXT NOT NULL,
    reason_data     TEXT,
    state_updated   REAL NOT NULL,
    config_updated  REAL NOT NULL,
    actions_enabled INTEGER NOT NULL,
    extra           TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (account, region, name)
);
CREATE TABLE cw_alarm_history (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account    TEXT NOT NULL,
    region     TEXT NOT NULL,
    alarm_name TEXT NOT NULL,
    ts         REAL NOT NULL,
    item_type  TEXT NOT NULL,
    summary    TEXT NOT NULL,
    data       TEXT NOT NULL
);
CREATE INDEX cw_alarm_history_alarm ON cw_alarm_history (account, region, alarm_name, ts);
CREATE TABLE cw_tags (
    arn   TEXT NOT NULL,
    key   TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (arn, key)
);
