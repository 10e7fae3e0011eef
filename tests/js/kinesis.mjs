// Puts and gets Kinesis records with @aws-sdk/client-kinesis and its default (HTTP/2) request handler.
// Usage: node kinesis.mjs <endpoint> <stream>; prints one JSON summary on stdout.
import {
  CreateStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  KinesisClient,
  ListShardsCommand,
  PutRecordCommand,
  PutRecordsCommand,
  waitUntilStreamExists,
} from "@aws-sdk/client-kinesis";

const [endpoint, stream] = process.argv.slice(2);
const client = new KinesisClient({
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
});
const encoder = new TextEncoder();
const decoder = new TextDecoder();

await client.send(new CreateStreamCommand({ StreamName: stream, ShardCount: 2 }));
await waitUntilStreamExists({ client, maxWaitTime: 20, minDelay: 1 }, { StreamName: stream });
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
