-- CloudWatch resources kept as documents: metric streams, insight rules, anomaly detectors, alarm mute
-- rules, metric data query definitions (kind), per account and region.
CREATE TABLE cw_resources (
    account TEXT NOT NULL,
    region  TEXT NOT NULL,
    kind    TEXT NOT NULL,
    name    TEXT NOT NULL,
    body    TEXT NOT NULL,
    PRIMARY KEY (account, region, kind, name)
);
