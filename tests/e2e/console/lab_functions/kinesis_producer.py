# ruff: noqa
# fmt: off
# The lab's code as the lab document gives it (Lab 4, Task 4 and Task 6), placeholders included.
import json
import boto3
import uuid
import datetime
import random
from botocore.exceptions import ClientError

# Initialize Kinesis client
kinesis = boto3.client('kinesis')

def lambda_handler(event, context):
    """
    Kinesis data producer for real-time analytics events
    """
    
    try:
        # Extract parameters from the request
        body = json.loads(event.get('body', '{}'))
        event_type = body.get('eventType', 'user_activity')
        event_count = body.get('eventCount', 10)
        
        stream_name = '[your-username]-analytics-stream'
        records_sent = []
        
        for i in range(event_count):
            if event_type == 'user_activity':
                event_data = {
                    'eventType': 'user_activity',
                    'userId': f"USER-{uuid.uuid4().hex[:8].upper()}",
                    'sessionId': f"SESS-{uuid.uuid4().hex[:8].upper()}",
                    'action': random.choice(['page_view', 'click', 'scroll', 'search', 'purchase']),
                    'page': random.choice(['/home', '/products', '/cart', '/checkout', '/profile']),
                    'timestamp': datetime.datetime.now().isoformat(),
                    'userAgent': 'Mozilla/5.0 (compatible; AnalyticsBot/1.0)',
                    'metadata': {
                        'device': random.choice(['desktop', 'mobile', 'tablet']),
                        'browser': random.choice(['Chrome', 'Firefox', 'Safari', 'Edge']),
                        'location': random.choice(['US', 'CA', 'UK', 'DE', 'JP'])
                    }
                }
                partition_key = event_data['userId']
                
            elif event_type == 'transaction':
                event_data = {
                    'eventType': 'transaction',
                    'transactionId': f"TXN-{uuid.uuid4().hex[:8].upper()}",
                    'customerId': f"CUST-{uuid.uuid4().hex[:6].upper()}",
                    'amount': round(random.uniform(10.0, 500.0), 2),
                    'currency': 'USD',
                    'paymentMethod': random.choice(['credit_card', 'debit_card', 'paypal', 'apple_pay']),
                    'status': random.choice(['completed', 'pending', 'failed']),
                    'timestamp': datetime.datetime.now().isoformat(),
                    'merchantId': f"MERCH-{random.randint(1000, 9999)}",
                    'metadata': {
                        'channel': random.choice(['web', 'mobile', 'pos']),
                        'category': random.choice(['electronics', 'clothing', 'food', 'books']),
                        'region': random.choice(['north', 'south', 'east', 'west'])
                    }
                }
                partition_key = event_data['customerId']
                
            elif event_type == 'system_metric':
                event_data = {
                    'eventType': 'system_metric',
                    'metricName': random.choice(['cpu_usage', 'memory_usage', 'disk_io', 'network_latency']),
                    'value': round(random.uniform(0.1, 100.0), 2),
                    'unit': random.choice(['percent', 'ms', 'bytes', 'count']),
                    'hostname': f"server-{random.randint(1, 10):02d}",
                    'timestamp': datetime.datetime.now().isoformat(),
                    'environment': random.choice(['production', 'staging', 'development']),
                    'metadata': {
                        'datacenter': random.choice(['us-east-1', 'us-west-2', 'eu-west-1']),
                        'instance_type': random.choice(['t3.micro', 't3.small', 'm5.large']),
                        'availability_zone': random.choice(['a', 'b', 'c'])
                    }
                }
                partition_key = event_data['hostname']
            
            else:
                raise ValueError(f"Unsupported event type: {event_type}")
            
            # Send record to Kinesis
            response = kinesis.put_record(
                StreamName=stream_name,
                Data=json.dumps(event_data),
                PartitionKey=partition_key
            )
            
            records_sent.append({
                'eventType': event_type,
                'partitionKey': partition_key,
                'shardId': response['ShardId'],
                'sequenceNumber': response['SequenceNumber']
            })
            
            print(f"Sent {event_type} event to shard {response['ShardId']}")
        
        return {
            'statusCode': 200,
            'headers': {
                'Content-Type': 'application/json',
                'Access-Control-Allow-Origin': '*'
            },
            'body': json.dumps({
                'message': f'Successfully sent {len(records_sent)} records to Kinesis',
                'streamName': stream_name,
                'eventType': event_type,
                'records': records_sent
            })
        }
        
    except ClientError as e:
        print(f"Error sending records to Kinesis: {e}")
        return {
            'statusCode': 500,
            'body': json.dumps({'error': str(e)})
        }
    except Exception as e:
        print(f"Unexpected error: {e}")
        return {
            'statusCode': 500,
            'body': json.dumps({'error': 'Internal server error'})
        }
