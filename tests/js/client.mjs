// What the Kinesis scripts share: a KinesisClient on the endpoint given on the command line, and a new stream
// of the name given there, created and waited for. Usage of a script: node <script> <endpoint> <stream>.
import { CreateStreamCommand, KinesisClient, waitUntilStreamExists } from "@aws-sdk/client-kinesis";

export const encoder = new TextEncoder();
export const decoder = new TextDecoder();

export async function openStream(shardCount) {
  const [endpoint, stream] = process.argv.slice(2);
  const client = new KinesisClient({
    endpoint,
    region: "us-east-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
  await client.send(new CreateStreamCommand({ StreamName: stream, ShardCount: shardCount }));
  await waitUntilStreamExists({ client, maxWaitTime: 20, minDelay: 1 }, { StreamName: stream });
  return { client, stream };
}
