// S3 through @aws-sdk/client-s3 (path style): create a bucket, put objects (a string, bytes, and a stream
// the SDK uploads aws-chunked with a trailing checksum), get them back; prints a JSON summary.
// Usage: node s3.mjs <endpoint> <bucket>
import { Readable } from "node:stream";
import {
  CreateBucketCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client,
} from "@aws-sdk/client-s3";

const [endpoint, bucket] = process.argv.slice(2);
const client = new S3Client({
  endpoint,
  region: "us-east-1",
  forcePathStyle: true,
  credentials: { accessKeyId: "test", secretAccessKey: "test" },
});
await client.send(new CreateBucketCommand({ Bucket: bucket }));
const text = await client.send(new PutObjectCommand({ Bucket: bucket, Key: "hello.txt", Body: "hello from js" }));
const bytes = new Uint8Array(300000).map((_, i) => i % 251);
await client.send(new PutObjectCommand({ Bucket: bucket, Key: "bytes.bin", Body: bytes, ChecksumAlgorithm: "SHA256" }));
const stream = Readable.from([Buffer.from(bytes.slice(0, 150000)), Buffer.from(bytes.slice(150000))]);
await client.send(new PutObjectCommand({ Bucket: bucket, Key: "stream.bin", Body: stream, ContentLength: bytes.length }));
const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: "hello.txt" }));
const gotBytes = await (await client.send(new GetObjectCommand({ Bucket: bucket, Key: "bytes.bin" }))).Body.transformToByteArray();
const gotStream = await (await client.send(new GetObjectCommand({ Bucket: bucket, Key: "stream.bin", ChecksumMode: "ENABLED" }))).Body.transformToByteArray();
const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: "stream.bin" }));
const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
console.log(JSON.stringify({
  etag: text.ETag,
  text: await got.Body.transformToString(),
  bytesEqual: Buffer.compare(Buffer.from(gotBytes), Buffer.from(bytes)) === 0,
  streamEqual: Buffer.compare(Buffer.from(gotStream), Buffer.from(bytes)) === 0,
  streamLength: head.ContentLength,
  keys: listed.Contents.map((o) => o.Key),
}));
