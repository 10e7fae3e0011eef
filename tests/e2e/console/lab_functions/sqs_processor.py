# ruff: noqa
# fmt: off
# The lab's code as the lab document gives it (Lab 4, Task 4 and Task 6), placeholders included.
import json
import time
import random

def lambda_handler(event, context):
    """
    SQS message processor with retry and failure handling
    """
    
    print(f"Received SQS event with {len(event.get('Records', []))} records")
    
    batch_item_failures = []
    successfully_processed = []
    
    for record in event['Records']:
        try:
            # Extract message data
            message_id = record['messageId']
            receipt_handle = record['receiptHandle']
            message_body = json.loads(record['body'])
            message_attributes = record.get('messageAttributes', {})
            
            print(f"Processing message {message_id}")
            print(f"Order data: {json.dumps(message_body, indent=2)}")
            
            # Extract order information
            order_id = message_body.get('orderId', 'unknown')
            customer_id = message_body.get('customerId', 'unknown')
            amount = message_body.get('amount', 0)
            items = message_body.get('items', [])
            priority = message_attributes.get('Priority', {}).get('stringValue', 'normal')
            simulate_failure = message_body.get('simulateFailure', False)
            
            # Simulate processing failure for testing DLQ
            if simulate_failure:
                print(f"❌ Simulating failure for order {order_id}")
                raise Exception(f"Simulated processing failure for order {order_id}")
            
            # Simulate processing time based on priority
            processing_time = 1 if priority == 'high' else 2
            time.sleep(processing_time)
            
            # Process the order
            print(f"🔄 Processing {priority} priority order {order_id}")
            print(f"  - Customer: {customer_id}")
            print(f"  - Amount: ${amount}")
            print(f"  - Items: {len(items)} items")
            
            # Simulate order processing steps
            print(f"  ✅ Validated payment information")
            print(f"  ✅ Reserved inventory for {len(items)} items")
            print(f"  ✅ Calculated shipping and taxes")
            print(f"  ✅ Created fulfillment order")
            print(f"  ✅ Sent confirmation to customer {customer_id}")
            
            successfully_processed.append({
                'messageId': message_id,
                'orderId': order_id,
                'priority': priority
            })
            
            print(f"✅ Successfully processed order {order_id}")
            
        except Exception as e:
            print(f"❌ Error processing message {message_id}: {str(e)}")
            # Add to batch item failures for retry
            batch_item_failures.append({
                'itemIdentifier': message_id
            })
    
    print(f"Processing summary:")
    print(f"  - Successfully processed: {len(successfully_processed)}")
    print(f"  - Failed (will retry): {len(batch_item_failures)}")
    
    # Return batch item failures for SQS to retry
    response = {
        'statusCode': 200,
        'batchItemFailures': batch_item_failures
    }
    
    if batch_item_failures:
        print(f"⚠️ Returning {len(batch_item_failures)} messages for retry")
    
    return response
