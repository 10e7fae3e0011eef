"""One module per AWS resource type family (sqs.py: AWS::SQS::Queue, AWS::SQS::QueuePolicy, ...), each a
ResourceType (base.py) that creates, updates and deletes through the services' own operations."""
