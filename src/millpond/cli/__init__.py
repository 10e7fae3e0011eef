"""The millpond command line."""
