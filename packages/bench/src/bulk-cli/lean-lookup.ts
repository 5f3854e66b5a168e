/**
 * The least a bulk lookup can do, B8's reference line: one id a line, chunks of 1000 lines (each
 * id once per request, as CDF requires), 4 requests in flight, answers written as NDJSON in input
 * order, exactly as the CLI writes them. No retries, no cache, no checks.
 */
import { createReadStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';

const CHUNK = 1000;
const IN_FLIGHT = 4;

export async function leanLookup(idsFile: string, out: Writable, cdf: { baseUrl: string; project: string; token: string }): Promise<void> {
  const url = `${cdf.baseUrl}/api/v1/projects/${cdf.project}/files/byids`;
  const headers = { authorization: `Bearer ${cdf.token}`, 'content-type': 'application/json' };
  const lookUp = async (ids: number[]): Promise<string> => {
    const items = [...new Set(ids)].map((id) => ({ id }));
    const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify({ items, ignoreUnknownIds: true }) });
    if (!response.ok) throw new Error(`byids answered ${response.status}`);
    const byId = new Map(((await response.json()) as { items: { id: number }[] }).items.map((item) => [item.id, item]));
    return ids.map((id) => `${JSON.stringify({ identifier: { id }, item: byId.get(id) ?? null })}\n`).join('');
  };
  const write = async (text: string): Promise<void> => {
    if (!out.write(text)) await once(out, 'drain');
  };
  const inFlight: Promise<string>[] = [];
  let chunk: number[] = [];
  for await (const line of createInterface({ input: createReadStream(idsFile) })) {
    if (line.trim() === '') continue;
    chunk.push(Number(line));
    if (chunk.length < CHUNK) continue;
    inFlight.push(lookUp(chunk));
    chunk = [];
    if (inFlight.length >= IN_FLIGHT) await write(await inFlight.shift()!);
  }
  if (chunk.length > 0) inFlight.push(lookUp(chunk));
  for (const answer of inFlight) await write(await answer);
}
