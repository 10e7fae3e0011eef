-- API Gateway REST APIs belong to an account and a region. Rows from before this file have neither: the
-- server hands them to its configured account and region at start (SqliteApiGatewayRepository.adopt).
ALTER TABLE apigateway_rest_apis ADD COLUMN account_id TEXT NOT NULL DEFAULT '';
ALTER TABLE apigateway_rest_apis ADD COLUMN region TEXT NOT NULL DEFAULT '';
CREATE INDEX apigateway_rest_apis_owner ON apigateway_rest_apis (account_id, region);
