import { readFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import type { Interactions } from "./interactions.js";

/**
 * The sandbox page and its small JSON API: static files (no build step), the state one person
 * sees, server-sent events when anything changes, and what a person can do.
 */

const PUBLIC = new URL("./public/", import.meta.url);
const STATIC: Record<string, string> = {
  "/": "index.html",
  "/app.js": "app.js",
  "/blocks.js": "blocks.js",
  "/markdown.js": "markdown.js",
  "/mrkdwn.js": "mrkdwn.js",
  "/vnode.js": "vnode.js",
  "/dom.js": "dom.js",
  "/style.css": "style.css",
  "/blocks.css": "blocks.css",
};
const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
};

const id = z.string().regex(/^[A-Z0-9]{2,30}$/, "must be a Slack id such as UALICE");
const ts = z.string().regex(/^\d+\.\d+$/, "must be a Slack message timestamp such as 1700000000.000100");
const chosen = z.union([z.string().max(2_000), z.array(z.string().max(2_000)).max(100), z.null()]);
const schemas = {
  send: z.object({
    user: id,
    channel: id,
    text: z.string().trim().min(1, "must not be empty").max(40_000),
    threadTs: ts.optional(),
  }),
  action: z.object({
    user: id,
    blockId: z.string().min(1).max(255),
    actionId: z.string().min(1).max(255),
    selected: chosen.optional(),
    channel: id.optional(),
    ts: ts.optional(),
    viewId: id.optional(),
  }),
  submit: z.object({
    user: id,
    viewId: id,
    values: z.record(z.string(), z.record(z.string(), chosen)),
  }),
  close: z.object({ user: id, viewId: id }),
  advance: z.object({ by: z.enum(["15m", "1h", "1d", "30d"]) }),
  fault: z.object({
    action: z.enum([
      "CreateDBSnapshot",
      "DescribeDBSnapshots",
      "ModifyDBInstance",
      "DescribeDBInstances",
      "DeleteDBSnapshot",
      "RestoreDBInstanceFromDBSnapshot",
    ]),
    code: z.enum(["AccessDenied", "InvalidDBInstanceState", "Throttling"]),
    times: z.number().int().min(1).max(10).default(1),
  }),
};

export const ADVANCE_MS = { "15m": 15 * 60_000, "1h": 3_600_000, "1d": 86_400_000, "30d": 30 * 86_400_000 };

export interface PageDeps {
  interactions: Interactions;
  /** Everything the page shows to one person. */
  state(user: string): unknown;
  /** For permalinks (`/archives/<channel>/p<ts>`), which open the channel in the page. */
  channelName(id: string): string | undefined;
  version(): number;
  onChange(listener: () => void): () => void;
  advance(ms: number): Promise<unknown>;
  fault(action: string, code: string, times: number): void;
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString("utf8");
  return raw ? JSON.parse(raw) : {};
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

/** A refused input says which field was wrong and what is accepted. */
function problemOf(error: z.ZodError): string {
  return error.issues.map((issue) => `${issue.path.join(".") || "body"} ${issue.message}`).join("; ");
}

export async function startPageServer(
  deps: PageDeps,
  port: number,
): Promise<{ url: string; close(): Promise<void> }> {
  const streams = new Set<ServerResponse>();
  let pending: NodeJS.Timeout | undefined;
  // Changes come in bursts (a click refreshes a message and posts in the thread): one event per burst.
  const unsubscribe = deps.onChange(() => {
    pending ??= setTimeout(() => {
      pending = undefined;
      for (const stream of streams) stream.write(`event: change\ndata: ${deps.version()}\n\n`);
    }, 40);
  });

  async function post<S extends z.ZodType>(
    req: IncomingMessage,
    res: ServerResponse,
    schema: S,
    run: (input: z.infer<S>) => Promise<unknown>,
  ) {
    const parsed = schema.safeParse(await readJson(req));
    if (!parsed.success) return sendJson(res, 400, { ok: false, error: problemOf(parsed.error) });
    try {
      sendJson(res, 200, { ok: true, result: (await run(parsed.data)) ?? null });
    } catch (error) {
      sendJson(res, 409, { ok: false, error: error instanceof Error ? error.message : String(error) });
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const file = STATIC[url.pathname];
    if (req.method === "GET" && file) {
      const body = await readFile(new URL(file, PUBLIC));
      res.writeHead(200, { "content-type": TYPES[file.split(".").pop() ?? ""] ?? "text/plain" });
      return res.end(body);
    }
    if (url.pathname === "/favicon.ico") return res.writeHead(204).end();
    const permalink = /^\/archives\/([A-Z0-9]+)\/p(\d+)$/.exec(url.pathname);
    if (req.method === "GET" && permalink) {
      const name = deps.channelName(permalink[1] ?? "");
      return res.writeHead(302, { location: name ? `/#${encodeURIComponent(name)}` : "/" }).end();
    }
    if (req.method === "GET" && url.pathname === "/api/state") {
      const user = id.safeParse(url.searchParams.get("user"));
      if (!user.success) return sendJson(res, 400, { ok: false, error: `user ${problemOf(user.error)}` });
      return sendJson(res, 200, deps.state(user.data));
    }
    if (req.method === "GET" && url.pathname === "/api/events") {
      res.writeHead(200, {
        "content-type": "text/event-stream",
        "cache-control": "no-store",
        connection: "keep-alive",
      });
      res.write(`event: change\ndata: ${deps.version()}\n\n`);
      streams.add(res);
      req.on("close", () => streams.delete(res));
      return;
    }
    const { interactions } = deps;
    if (req.method === "POST") {
      switch (url.pathname) {
        case "/api/send":
          return post(req, res, schemas.send, (input) => interactions.send(input));
        case "/api/action":
          return post(req, res, schemas.action, (input) => interactions.act(input));
        case "/api/submit":
          return post(req, res, schemas.submit, (input) => interactions.submitView(input));
        case "/api/close":
          return post(req, res, schemas.close, (input) => interactions.closeView(input));
        case "/api/advance":
          return post(req, res, schemas.advance, (input) => deps.advance(ADVANCE_MS[input.by]));
        case "/api/fault":
          return post(req, res, schemas.fault, async (input) =>
            deps.fault(input.action, input.code, input.times),
          );
      }
      if (url.pathname.startsWith("/respond/")) {
        const known = interactions.respond(url.pathname.slice("/respond/".length), await readJson(req));
        return sendJson(res, known ? 200 : 404, known ? { ok: true } : { ok: false, error: "expired_url" });
      }
    }
    sendJson(res, 404, { ok: false, error: `nothing at ${req.method} ${url.pathname}` });
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: String(error) });
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}/`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        unsubscribe();
        clearTimeout(pending);
        for (const stream of streams) stream.end();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
