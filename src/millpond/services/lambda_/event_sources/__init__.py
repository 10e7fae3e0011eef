"""Event source mappings: the API (mapping.py), event filtering (filtering.py), and the pollers that feed
functions from SQS queues (sqs_poller.py) and Kinesis streams (kinesis_poller.py), run by supervisor.py."""
