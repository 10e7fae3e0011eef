"""The order pipeline's tooling: deploy, tear down, send traffic and report, all on plain boto3."""
