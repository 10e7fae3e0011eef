// Puts and gets Kinesis records with @aws-sdk/client-kinesis and its default (HTTP/2) request handler.
// Usage: node kinesis.mjs <endpoint> <stream>; prints one JSON summary on stdout.
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  PutRecordCommand,
  PutRecordsCommand,
} from "@aws-sdk/client-kinesis";
import { decoder, encoder, openStream } from "./client.mjs";

const { client, stream } = await openStream(2);
const single = await client.send(
  new PutRecordCommand({ StreamName: stream, PartitionKey: "js-key", Data: encoder.encode("from js") }),
);
const batch = await client.send(
  new PutRecordsCommand({
    StreamName: stream,
    Records: Array.from({ length: 10 }, (_, n) => ({ PartitionKey: `js-${n}`, Data: encoder.encode(`batch ${n}`) })),
  }),
);
const { Shards } = await client.send(new ListShardsCommand({ StreamName: stream }));
const read = {};
for (const shard of Shards) {
  const { ShardIterator } = await client.send(
    new GetShardIteratorCommand({ StreamName: stream, ShardId: shard.ShardId, ShardIteratorType: "TRIM_HORIZON" }),
  );
  const page = await client.send(new GetRecordsCommand({ ShardIterator }));
  read[shard.ShardId] = page.Records.map((record) => ({
    data: decoder.decode(record.Data),
    partitionKey: record.PartitionKey,
    sequenceNumber: record.SequenceNumber,
    arrival: record.ApproximateArrivalTimestamp.toISOString(),
  }));
}
const handler = client.config.requestHandler;
console.log(
  JSON.stringify({
    handler: handler.constructor.name,
    single,
    failed: batch.FailedRecordCount,
    batch: batch.Records.map((r) => r.ShardId),
    read,
  }),
);
client.destroy();
