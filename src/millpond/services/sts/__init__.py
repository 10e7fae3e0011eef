"""The sts service."""
