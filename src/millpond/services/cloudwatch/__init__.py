"""The cloudwatch service."""
