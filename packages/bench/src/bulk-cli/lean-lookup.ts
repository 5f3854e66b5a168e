/**
 * The least a bulk lookup can do, B8's reference line: one id a line from the file in argv[2],
 * chunks of 1000 lines (each id once per request, as CDF requires), 4 requests in flight, answers
 * written to stdout as NDJSON in input order. No retries, no cache, no checks. Reads
 * CDF_BASE_URL, CDF_PROJECT and CDF_TOKEN as the CLI does.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

const CHUNK = 1000;
const IN_FLIGHT = 4;
const { CDF_BASE_URL, CDF_PROJECT, CDF_TOKEN } = process.env;
const url = `${CDF_BASE_URL}/api/v1/projects/${CDF_PROJECT}/files/byids`;
const headers = { authorization: `Bearer ${CDF_TOKEN}`, 'content-type': 'application/json' };

async function lookUp(ids: number[]): Promise<string> {
  const items = [...new Set(ids)].map((id) => ({ id }));
  const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ items, ignoreUnknownIds: true }) });
  if (!response.ok) throw new Error(`byids answered ${response.status}`);
  const byId = new Map((((await response.json()) as { items: { id: number }[] }).items).map((item) => [item.id, item]));
  return ids.map((id) => `${JSON.stringify({ identifier: { id }, item: byId.get(id) ?? null })}\n`).join('');
}

const inFlight: Promise<string>[] = [];
const write = async (text: string): Promise<void> => {
  if (!process.stdout.write(text)) await new Promise((resolve) => process.stdout.once('drain', resolve));
};
let chunk: number[] = [];
for await (const line of createInterface({ input: createReadStream(process.argv[2]!) })) {
  if (line.trim() === '') continue;
  chunk.push(Number(line));
  if (chunk.length < CHUNK) continue;
  inFlight.push(lookUp(chunk));
  chunk = [];
  if (inFlight.length >= IN_FLIGHT) await write(await inFlight.shift()!);
}
if (chunk.length > 0) inFlight.push(lookUp(chunk));
for (const answer of inFlight) await write(await answer);
