"""The apigateway service."""
