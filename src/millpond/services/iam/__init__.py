"""The iam service."""
