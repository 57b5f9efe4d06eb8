import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/**
 * The HTTP plumbing the GitHub and Jira doubles share: a local server, a log of requests, and
 * switches a test flips — answer the next requests with an error (401, 404, 429 with
 * Retry-After, 500), or do the next matching request and then lose the answer (the socket is
 * destroyed after the change was made, as when a network drops a response).
 */

export interface RecordedCall {
  method: string;
  path: string;
  body: unknown;
}

export interface Fault {
  status: number;
  retryAfter?: number;
  /** How many requests it answers; Infinity keeps it until cleared. */
  times: number;
  /** Only requests whose `METHOD path` matches. */
  match?: RegExp;
  body?: unknown;
}

export type Handler = (request: {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  headers: IncomingMessage["headers"];
}) => { status: number; body?: unknown };

export async function startDoubleServer(
  handle: Handler,
  authorized: (headers: IncomingMessage["headers"]) => boolean,
  unauthorizedBody: unknown,
) {
  const calls: RecordedCall[] = [];
  const faults: Fault[] = [];
  const losses: { match: RegExp; times: number }[] = [];

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://double");
      const raw = Buffer.concat(chunks).toString("utf8");
      let body: unknown;
      try {
        body = raw ? JSON.parse(raw) : undefined;
      } catch {
        body = raw;
      }
      const method = req.method ?? "GET";
      const path = url.pathname;
      calls.push({ method, path, body });
      const line = `${method} ${path}`;
      const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
        res.end(payload === undefined ? "" : JSON.stringify(payload));
      };
      const fault = faults.find((f) => f.times > 0 && (!f.match || f.match.test(line)));
      if (fault) {
        fault.times -= 1;
        send(
          fault.status,
          fault.body ?? { message: `double: ${fault.status}` },
          fault.retryAfter !== undefined ? { "retry-after": String(fault.retryAfter) } : {},
        );
        return;
      }
      if (!authorized(req.headers)) {
        send(401, unauthorizedBody);
        return;
      }
      const answer = handle({ method, path, query: url.searchParams, body, headers: req.headers });
      const loss = losses.find((l) => l.times > 0 && l.match.test(line));
      if (loss && answer.status < 300) {
        // The change is made; the answer never arrives.
        loss.times -= 1;
        req.socket.destroy();
        return;
      }
      send(answer.status, answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    /** Answers matching requests with `status` (401, 404, 429 with retryAfter seconds, 500). */
    fail(fault: Fault) {
      faults.push(fault);
    },
    clearFaults() {
      faults.length = 0;
    },
    /** Does the next `times` requests matching `match` (e.g. /^POST .*\/comments$/), then drops their answers. */
    loseAnswer(match: RegExp, times = 1) {
      losses.push({ match, times });
    },
    writes: () => calls.filter((call) => call.method !== "GET"),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
