"""Unit tests of CloudWatch Logs."""
