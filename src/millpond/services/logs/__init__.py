"""The logs service."""
