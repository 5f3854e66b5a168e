import type { Target } from '../contenders/contender.js';

/** Files of the in-memory CDF get ids from here up, like CDF's large internal ids. */
const FIRST_ID = 4_000_000_000_000;

/** An in-memory CDF: its files' ids and a `Target` whose `fetch` answers byids from memory. */
export interface MemoryCdf {
  readonly fileIds: readonly number[];
  readonly target: Target;
  /** The body of a byids answer for these ids (unknown ones left out). */
  answer(ids: readonly number[]): string;
}

/**
 * A CDF answered from memory: no sockets, no latency, only the JSON work a real answer costs on
 * the client. Every file has an id and an externalId (so a cache holds it under two keys), with
 * its JSON prepared once, so answering costs the same for every contender and little in total.
 */
export function createMemoryCdf(files: number): MemoryCdf {
  const json = new Map<number, string>();
  const fileIds: number[] = [];
  for (let index = 0; index < files; index++) {
    const id = FIRST_ID + index * 7;
    fileIds.push(id);
    json.set(id, fileJson(id, index));
  }
  const answer = (ids: readonly number[]): string => {
    const found: string[] = [];
    for (const id of ids) {
      const item = json.get(id);
      if (item !== undefined) found.push(item);
    }
    return `{"items":[${found.join(',')}]}`;
  };
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request ? input : new Request(input, init);
    const { items } = JSON.parse(await request.text()) as { items: { id: number }[] };
    return new Response(answer(items.map((item) => item.id)), { status: 200, headers: { 'content-type': 'application/json' } });
  };
  return { fileIds, answer, target: { baseUrl: 'http://memory.cdf.invalid', project: 'memory', token: 'memory-token', fetch } };
}

/** A plausible file of about 400 bytes of JSON. */
function fileJson(id: number, index: number): string {
  const time = 1_700_000_000_000 + index * 1000;
  return JSON.stringify({
    id,
    externalId: `file-${String(index).padStart(6, '0')}.pdf`,
    name: `Inspection report ${index}.pdf`,
    directory: `/sites/site-${index % 17}/reports`,
    source: 'sharepoint',
    mimeType: 'application/pdf',
    metadata: { site: `site-${index % 17}`, revision: String(index % 5) },
    assetIds: [FIRST_ID + (index % 997), FIRST_ID + (index % 89)],
    dataSetId: 1_000_000 + (index % 4),
    uploaded: true,
    uploadedTime: time,
    createdTime: time,
    lastUpdatedTime: time,
  });
}
