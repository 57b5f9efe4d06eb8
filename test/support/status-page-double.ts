import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

/** One POST the status page received. */
export interface StatusPageRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/**
 * A status page on 127.0.0.1: records every POST (its JSON body and headers) and answers 201,
 * or 503 for the next `failNext` requests (a transient outage the client must ride out).
 */
export async function startStatusPageDouble() {
  const requests: StatusPageRequest[] = [];
  let failNext = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      if (failNext > 0) {
        failNext -= 1;
        response.writeHead(503).end("try later");
        return;
      }
      const text = Buffer.concat(chunks).toString("utf8");
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // Kept as text: the test then shows what arrived.
      }
      requests.push({ path: request.url ?? "", headers: request.headers, body });
      response.writeHead(201, { "content-type": "application/json" }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNextRequests(count: number) {
      failNext = count;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
export type StatusPageDouble = Awaited<ReturnType<typeof startStatusPageDouble>>;
