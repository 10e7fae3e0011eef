"""The wire: recognising AWS requests and encoding them, driven by botocore's service models."""
