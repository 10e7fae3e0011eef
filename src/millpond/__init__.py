"""millpond: a local cloud for queue and stream processing on one port."""

__version__ = "0.1.0"
