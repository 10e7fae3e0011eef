// SubscribeToShard with @aws-sdk/client-kinesis over its default (HTTP/2) handler: records put while the
// subscription is open arrive as SubscribeToShardEvents.
// Usage: node subscribe.mjs <endpoint> <stream>; prints one JSON summary on stdout.
import {
  DescribeStreamSummaryCommand,
  PutRecordCommand,
  RegisterStreamConsumerCommand,
  SubscribeToShardCommand,
} from "@aws-sdk/client-kinesis";
import { decoder, encoder, openStream } from "./client.mjs";

const { client, stream } = await openStream(1);
const { StreamDescriptionSummary } = await client.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
const { Consumer } = await client.send(
  new RegisterStreamConsumerCommand({ StreamARN: StreamDescriptionSummary.StreamARN, ConsumerName: "js" }),
);
await client.send(new PutRecordCommand({ StreamName: stream, PartitionKey: "k", Data: encoder.encode("before") }));
// Leaving the loop does not end the HTTP/2 stream; aborting the request does (AWS holds it open 5 minutes).
const controller = new AbortController();
const { EventStream } = await client.send(
  new SubscribeToShardCommand({
    ConsumerARN: Consumer.ConsumerARN,
    ShardId: "shardId-000000000000",
    StartingPosition: { Type: "TRIM_HORIZON" },
  }),
  { abortSignal: controller.signal },
);
const records = [];
let events = 0;
let put = null;
for await (const event of EventStream) {
  events += 1;
  for (const record of event.SubscribeToShardEvent?.Records ?? []) {
    records.push({
      data: decoder.decode(record.Data),
      sequenceNumber: record.SequenceNumber,
      arrival: record.ApproximateArrivalTimestamp.toISOString(),
    });
  }
  if (put === null) {
    put = await client.send(
      new PutRecordCommand({ StreamName: stream, PartitionKey: "k", Data: encoder.encode("during") }),
    );
  }
  if (records.length >= 2) {
    break;
  }
}
controller.abort();
console.log(
  JSON.stringify({
    handler: client.config.requestHandler.constructor.name,
    events,
    records,
    put: put.SequenceNumber,
  }),
);
client.destroy();
