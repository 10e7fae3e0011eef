-- API Gateway's account-level documents (API keys, usage plans, the keys of each plan) per account and
-- region, and the requests each key made under each plan, by UTC day (quotas and GetUsage read them).
CREATE TABLE apigateway_account_items (
    account TEXT NOT NULL,
    region  TEXT NOT NULL,
    kind    TEXT NOT NULL,
    id      TEXT NOT NULL,
    created INTEGER NOT NULL,
    body    TEXT NOT NULL,
    PRIMARY KEY (account, region, kind, id)
);
CREATE TABLE apigateway_usage (
    account TEXT NOT NULL,
    region  TEXT NOT NULL,
    plan_id TEXT NOT NULL,
    key_id  TEXT NOT NULL,
    day     TEXT NOT NULL,
    used    INTEGER NOT NULL,
    PRIMARY KEY (account, region, plan_id, key_id, day)
);
