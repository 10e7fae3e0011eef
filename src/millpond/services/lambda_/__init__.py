"""The lambda_ service."""
