// Encodes and decodes Confluent-framed Avro with Confluent's own JavaScript client
// (@confluentinc/schemaregistry: its SchemaRegistryClient, AvroSerializer, AvroDeserializer),
// for ConfluentJsWireFormatITCase.
//
//   node wire.js REQUEST.json
//
// REQUEST: {
//   "registry": "http://127.0.0.1:PORT",
//   "topic": "payments.fraud-scores",          // subject <topic>-value (TopicNameStrategy)
//   "schemas": ["<v1 schema JSON>", ...],      // registered in this order
//   "encode": [{"schema": 0, "record": {...}}], // index into schemas; plain JSON as avsc takes it
//   "decode": ["<hex>", ...],                   // framed records to decode
//   "tryRegister": ["<schema JSON>", ...]       // optional: registrations that may be refused
// }
// Prints one JSON object: {"ids": [...], "encoded": ["<hex>", ...], "decoded": [...],
// "tried": [...]}. A decoded or tried entry the registry refused is {"error": {"status",
// "errorCode", "message"}} as Confluent's client reports it; any other failure: the error on
// stderr and exit code 1.
'use strict';

const fs = require('fs');
const sr = require('@confluentinc/schemaregistry');

async function main() {
  if (process.argv.length !== 3) {
    throw new Error('usage: node wire.js REQUEST.json');
  }
  const request = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const client = new sr.SchemaRegistryClient({ baseURLs: [request.registry] });
  const subject = request.topic + '-value';

  const ids = [];
  for (const schema of request.schemas) {
    ids.push(await client.register(subject, { schemaType: 'AVRO', schema }));
  }

  const encoded = [];
  for (const e of request.encode) {
    // One serializer per schema id: useSchemaId makes it write exactly that writer schema,
    // as a producer pinned to one version of its schema does.
    const serializer = new sr.AvroSerializer(client, sr.SerdeType.VALUE, {
      autoRegisterSchemas: false,
      useSchemaId: ids[e.schema],
    });
    const bytes = await serializer.serialize(request.topic, e.record);
    encoded.push(Buffer.from(bytes).toString('hex'));
  }

  const deserializer = new sr.AvroDeserializer(client, sr.SerdeType.VALUE, {});
  const decoded = [];
  for (const hex of request.decode) {
    decoded.push(
      await refused(() => deserializer.deserialize(request.topic, Buffer.from(hex, 'hex'))));
  }

  const tried = [];
  for (const schema of request.tryRegister || []) {
    tried.push(await refused(async () => ({
      id: await client.register(subject, { schemaType: 'AVRO', schema }),
    })));
  }

  process.stdout.write(JSON.stringify({ ids, encoded, decoded, tried }));
}

// The result of f, or the registry's refusal as Confluent's client reports it (a RestError).
async function refused(f) {
  try {
    return await f();
  } catch (e) {
    if (e instanceof sr.RestError) {
      return { error: { status: e.status, errorCode: e.errorCode, message: e.message } };
    }
    throw e;
  }
}

main().catch((e) => {
  process.stderr.write((e && e.stack) || String(e));
  process.stderr.write('\n');
  process.exit(1);
});
