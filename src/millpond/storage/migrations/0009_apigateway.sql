-- API Gateway (REST v1): one document per REST API (settings, resources with their methods and
-- integrations, stages, deployment summaries), and each deployment's immutable snapshot of the routes.
CREATE TABLE apigateway_rest_apis (
    id       TEXT PRIMARY KEY,
    document TEXT NOT NULL            -- JSON: the RestApi, its resources, stages and deployments
);
CREATE TABLE apigateway_deployments (
    api_id   TEXT NOT NULL,
    id       TEXT NOT NULL,
    snapshot TEXT NOT NULL,           -- JSON: resources, methods and integrations as deployed
    PRIMARY KEY (api_id, id)
);
