-- IAM: roles, users, groups, customer managed policies and access keys, one JSON body per entity.
-- key: the lower-cased name (IAM names are unique case-insensitively), the policy ARN, or the key id.
CREATE TABLE iam_entities (
    kind TEXT NOT NULL,
    key  TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (kind, key)
);
