"""The web console (built by a later issue)."""
