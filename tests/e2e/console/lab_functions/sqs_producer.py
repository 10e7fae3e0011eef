# ruff: noqa
# fmt: off
# The lab's code as the lab document gives it (Lab 4, Task 4 and Task 6), placeholders included.
import json
import boto3
import uuid
import datetime
from botocore.exceptions import ClientError

# Initialize SQS client
sqs = boto3.client('sqs')

def lambda_handler(event, context):
    """
    SQS message producer that sends order processing messages
    """
    
    try:
        # Extract parameters from the request
        body = json.loads(event.get('body', '{}'))
        message_type = body.get('messageType', 'OrderProcessing')
        batch_size = body.get('batchSize', 5)
        simulate_failure = body.get('simulateFailure', False)
        
        queue_url = '[your-queue-url]'  # Replace with actual queue URL
        messages_sent = []
        
        for i in range(batch_size):
            # Generate order data
            order_data = {
                'orderId': f"ORD-{uuid.uuid4().hex[:8].upper()}",
                'customerId': f"CUST-{uuid.uuid4().hex[:6].upper()}",
                'amount': round(50 + (i * 25.99), 2),
                'items': [
                    {
                        'productId': f"PROD-{uuid.uuid4().hex[:4].upper()}",
                        'quantity': i + 1,
                        'price': round(25.99 + (i * 5), 2)
                    }
                ],
                'timestamp': datetime.datetime.now().isoformat(),
                'priority': 'high' if i % 3 == 0 else 'normal',
                'simulateFailure': simulate_failure and i == 0  # Only first message fails
            }
            
            # Send message to SQS
            response = sqs.send_message(
                QueueUrl=queue_url,
                MessageBody=json.dumps(order_data),
                MessageAttributes={
                    'MessageType': {
                        'StringValue': message_type,
                        'DataType': 'String'
                    },
                    'Priority': {
                        'StringValue': order_data['priority'],
                        'DataType': 'String'
                    }
                }
            )
            
            messages_sent.append({
                'orderId': order_data['orderId'],
                'messageId': response['MessageId'],
                'priority': order_data['priority']
            })
            
            print(f"Sent order {order_data['orderId']} to SQS with message ID {response['MessageId']}")
        
        return {
            'statusCode': 200,
            'headers': {
                'Content-Type': 'application/json',
                'Access-Control-Allow-Origin': '*'
            },
            'body': json.dumps({
                'message': f'Successfully sent {len(messages_sent)} messages to SQS',
                'messages': messages_sent,
                'queueUrl': queue_url
            })
        }
        
    except ClientError as e:
        print(f"Error sending messages to SQS: {e}")
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
