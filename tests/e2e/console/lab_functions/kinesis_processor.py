# ruff: noqa
# fmt: off
# The lab's code as the lab document gives it (Lab 4, Task 4 and Task 6), placeholders included.
import json
import base64
import datetime
from collections import defaultdict

def lambda_handler(event, context):
    """
    Kinesis stream processor for real-time analytics
    """
    
    print(f"Received Kinesis event with {len(event.get('Records', []))} records")
    
    # Analytics aggregations
    event_counts = defaultdict(int)
    user_activities = defaultdict(list)
    transaction_stats = {
        'total_amount': 0,
        'completed_count': 0,
        'failed_count': 0,
        'pending_count': 0
    }
    system_metrics = defaultdict(list)
    
    successfully_processed = 0
    processing_errors = 0
    
    for record in event['Records']:
        try:
            # Decode the Kinesis record
            encoded_data = record['kinesis']['data']
            decoded_data = base64.b64decode(encoded_data).decode('utf-8')
            event_data = json.loads(decoded_data)
            
            event_type = event_data.get('eventType', 'unknown')
            partition_key = record['kinesis']['partitionKey']
            sequence_number = record['kinesis']['sequenceNumber']
            
            print(f"Processing {event_type} event from partition {partition_key}")
            
            # Count events by type
            event_counts[event_type] += 1
            
            # Process different event types
            if event_type == 'user_activity':
                user_id = event_data.get('userId')
                action = event_data.get('action')
                page = event_data.get('page')
                device = event_data.get('metadata', {}).get('device')
                
                user_activities[user_id].append({
                    'action': action,
                    'page': page,
                    'device': device,
                    'timestamp': event_data.get('timestamp')
                })
                
                print(f"  📱 User {user_id} performed {action} on {page} via {device}")
                
            elif event_type == 'transaction':
                amount = event_data.get('amount', 0)
                status = event_data.get('status', 'unknown')
                payment_method = event_data.get('paymentMethod')
                customer_id = event_data.get('customerId')
                
                transaction_stats['total_amount'] += amount
                if status == 'completed':
                    transaction_stats['completed_count'] += 1
                elif status == 'failed':
                    transaction_stats['failed_count'] += 1
                elif status == 'pending':
                    transaction_stats['pending_count'] += 1
                
                print(f"  💳 Transaction {event_data.get('transactionId')} for ${amount} - {status}")
                print(f"     Customer: {customer_id}, Payment: {payment_method}")
                
            elif event_type == 'system_metric':
                metric_name = event_data.get('metricName')
                value = event_data.get('value')
                hostname = event_data.get('hostname')
                environment = event_data.get('environment')
                
                system_metrics[metric_name].append({
                    'value': value,
                    'hostname': hostname,
                    'environment': environment,
                    'timestamp': event_data.get('timestamp')
                })
                
                print(f"  📊 {hostname} ({environment}): {metric_name} = {value}")
                
                # Alert on high values (simulated)
                if metric_name == 'cpu_usage' and value > 80:
                    print(f"  🚨 HIGH CPU ALERT: {hostname} CPU usage at {value}%")
                elif metric_name == 'memory_usage' and value > 90:
                    print(f"  🚨 HIGH MEMORY ALERT: {hostname} memory usage at {value}%")
            
            successfully_processed += 1
            
        except Exception as e:
            print(f"❌ Error processing record {record.get('kinesis', {}).get('sequenceNumber', 'unknown')}: {str(e)}")
            processing_errors += 1
            # Continue processing other records (Kinesis doesn't support partial batch failures)
    
    # Generate analytics summary
    print(f"\n📈 Real-time Analytics Summary:")
    print(f"  - Records processed: {successfully_processed}")
    print(f"  - Processing errors: {processing_errors}")
    print(f"  - Event type distribution: {dict(event_counts)}")
    
    if user_activities:
        print(f"  - Unique users active: {len(user_activities)}")
        most_active_user = max(user_activities.keys(), key=lambda k: len(user_activities[k]))
        print(f"  - Most active user: {most_active_user} ({len(user_activities[most_active_user])} actions)")
    
    if transaction_stats['total_amount'] > 0:
        print(f"  - Transaction volume: ${transaction_stats['total_amount']:.2f}")
        print(f"  - Completed: {transaction_stats['completed_count']}, Failed: {transaction_stats['failed_count']}, Pending: {transaction_stats['pending_count']}")
        
        if transaction_stats['completed_count'] > 0:
            avg_transaction = transaction_stats['total_amount'] / (transaction_stats['completed_count'] + transaction_stats['pending_count'])
            print(f"  - Average transaction: ${avg_transaction:.2f}")
    
    if system_metrics:
        print(f"  - System metrics collected: {len(system_metrics)} types")
        for metric_name, values in system_metrics.items():
            if values:
                avg_value = sum(v['value'] for v in values) / len(values)
                max_value = max(v['value'] for v in values)
                print(f"    - {metric_name}: avg={avg_value:.2f}, max={max_value:.2f}")
    
    return {
        'statusCode': 200,
        'recordsProcessed': successfully_processed,
        'errors': processing_errors,
        'analytics': {
            'eventCounts': dict(event_counts),
            'userActivities': len(user_activities),
            'transactionStats': transaction_stats,
            'systemMetrics': len(system_metrics)
        }
    }
