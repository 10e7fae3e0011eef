-- STS: temporary credentials issued by AssumeRole, found again by access key id.
CREATE TABLE sts_sessions (
    access_key_id     TEXT PRIMARY KEY,
    secret_access_key TEXT NOT NULL,
    session_token     TEXT NOT NULL,
    expiration        DOUBLE PRECISION NOT NULL, -- epoch seconds
    account_id        TEXT NOT NULL,
    role_arn          TEXT NOT NULL,
    role_session_name TEXT NOT NULL,
    assumed_role_id   TEXT NOT NULL               -- AROA...:session-name
);
