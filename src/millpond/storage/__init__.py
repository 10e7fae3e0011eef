"""Durable state in SQLite: the engine and one repository module per service."""
