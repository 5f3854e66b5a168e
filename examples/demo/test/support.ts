import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';

/** One request the token endpoint received. */
export interface TokenRequest {
  contentType: string | undefined;
  form: Record<string, string>;
  /** When it arrived, on `performance.now()`. */
  at: number;
}

/** A tiny OAuth token endpoint on node:http: answers each request with `answer(n)` (1-based). */
export interface TokenServer {
  url: string;
  requests: TokenRequest[];
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** Starts a token endpoint for this test; it is closed after the test. */
export async function startTokenServer(answer: (n: number) => { status: number; body: unknown }): Promise<TokenServer> {
  const requests: TokenRequest[] = [];
  const server = createServer((req, res) => {
    void readBody(req).then((body) => {
      requests.push({ contentType: req.headers['content-type'], form: Object.fromEntries(new URLSearchParams(body)), at: performance.now() });
      const { status, body: answerBody } = answer(requests.length);
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answerBody));
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/oauth2/token`,
    requests,
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Collects what is written to a stream stand-in. */
export function capture(isTTY = false): { write(text: string): boolean; isTTY: boolean; text(): string } {
  let text = '';
  return {
    isTTY,
    write(chunk: string) {
      text += chunk;
      return true;
    },
    text: () => text,
  };
}
