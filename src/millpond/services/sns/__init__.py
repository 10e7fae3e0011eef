"""SNS: topics, subscriptions, filter policies, and deliveries to SQS, Lambda and HTTP endpoints."""
