import { createHash, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";

/**
 * Just enough of Slack for Socket Mode: `auth.test`, `apps.connections.open` (answering a
 * WebSocket URL on this server), `{ ok: true }` for any other method, and a WebSocket endpoint
 * that says `hello` (Slack's "connected") and answers pings. `drop()` closes every socket as
 * Slack does on a refresh; while `holdHello` is set, a new socket is accepted but never told hello.
 * `deliver` sends an envelope (slash command, interaction, event) as Slack does, `sendRaw` any
 * text frame, `refresh` Slack's `disconnect` message; what the app sends back (its acks) is kept
 * in `acks`. With `forwardTo` set, every other Web API method goes to that URL (the Slack API
 * double), so posts and ephemerals land where the tests read them.
 */
export interface SocketModeDouble {
  /** SLACK_API_URL. */
  url: string;
  connections(): number;
  drop(): void;
  holdHello: boolean;
  /** Base URL (ending in `/`) other Web API methods are forwarded to. */
  forwardTo?: string;
  /** Sends `{ envelope_id, type, payload, accepts_response_payload, ... }`; returns the envelope id. */
  deliver(
    type: "slash_commands" | "interactive" | "events_api",
    payload: object,
    extra?: { envelope_id?: string; retry_attempt?: number; retry_reason?: string },
  ): string;
  sendRaw(text: string): void;
  /** Slack's `{"type":"disconnect","reason":"refresh_requested"}`. */
  refresh(): void;
  /** Every JSON message the app sent on a socket (acks: `{ envelope_id, payload }`). */
  acks: { envelope_id?: string; payload?: unknown }[];
  acksOf(envelopeId: string): number;
  close(): Promise<void>;
}

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

function frame(opcode: number, payload: Buffer): Buffer {
  if (payload.length < 126) return Buffer.concat([Buffer.from([0x80 | opcode, payload.length]), payload]);
  const header = Buffer.alloc(payload.length < 65_536 ? 4 : 10);
  header[0] = 0x80 | opcode;
  if (payload.length < 65_536) {
    header[1] = 126;
    header.writeUInt16BE(payload.length, 2);
  } else {
    header[1] = 127;
    header.writeBigUInt64BE(BigInt(payload.length), 2);
  }
  return Buffer.concat([header, payload]);
}

/** Client frames are masked; only whole, unfragmented frames are handled (text, pings, closes). */
function onFrames(socket: Socket, onText: (text: string) => void): void {
  let buffered = Buffer.alloc(0);
  socket.on("data", (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    while (buffered.length >= 2) {
      const opcode = (buffered[0] ?? 0) & 0x0f;
      let length = (buffered[1] ?? 0) & 0x7f;
      let offset = 2;
      if (length === 126) {
        length = buffered.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        length = Number(buffered.readBigUInt64BE(2));
        offset = 10;
      }
      if (buffered.length < offset + 4 + length) return;
      const mask = buffered.subarray(offset, offset + 4);
      const payload = Buffer.from(buffered.subarray(offset + 4, offset + 4 + length));
      for (let i = 0; i < payload.length; i++) payload[i] = (payload[i] ?? 0) ^ (mask[i % 4] ?? 0);
      buffered = buffered.subarray(offset + 4 + length);
      if (opcode === 0x1) onText(payload.toString("utf8"));
      if (opcode === 0x9) socket.write(frame(0xa, payload));
      if (opcode === 0x8) socket.end(frame(0x8, Buffer.alloc(0)));
    }
  });
}

export async function startSocketModeDouble(): Promise<SocketModeDouble> {
  const sockets = new Set<Socket>();
  let base = "";
  const answer = (req: IncomingMessage, res: ServerResponse) => {
    const method = (req.url ?? "").replace(/^\/api\//, "").split("?")[0] ?? "";
    if (double.forwardTo && method !== "auth.test" && method !== "apps.connections.open")
      return void forward(req, res, `${double.forwardTo}${(req.url ?? "").replace(/^\/api\//, "")}`);
    req.resume();
    const body =
      method === "auth.test"
        ? { ok: true, user_id: "UBOT", bot_id: "BBOT", team_id: "T1", user: "preflight" }
        : method === "apps.connections.open"
          ? { ok: true, url: `${base.replace(/^http/, "ws")}/link` }
          : { ok: true };
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const server = createServer(answer);
  const write = (text: string) => {
    for (const socket of sockets) socket.write(frame(0x1, Buffer.from(text)));
  };
  const double: SocketModeDouble = {
    url: "",
    acks: [],
    acksOf: (envelopeId) => double.acks.filter((a) => a.envelope_id === envelopeId).length,
    deliver: (type, payload, extra = {}) => {
      const envelopeId = extra.envelope_id ?? randomUUID();
      write(
        JSON.stringify({
          envelope_id: envelopeId,
          type,
          payload,
          accepts_response_payload: type !== "events_api",
          ...(type === "events_api" ? { retry_attempt: 0, retry_reason: "" } : {}),
          ...extra,
        }),
      );
      return envelopeId;
    },
    sendRaw: write,
    refresh: () => write(JSON.stringify({ type: "disconnect", reason: "refresh_requested" })),
    connections: () => sockets.size,
    drop: () => {
      for (const socket of sockets) socket.destroy();
      sockets.clear();
    },
    holdHello: false,
    close: async () => {
      double.drop();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  server.on("upgrade", (req: IncomingMessage, socket: Socket) => {
    const key = String(req.headers["sec-websocket-key"] ?? "");
    const accept = createHash("sha1")
      .update(key + GUID)
      .digest("base64");
    socket.write(
      `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
    );
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    onFrames(socket, (text) => {
      try {
        double.acks.push(JSON.parse(text) as { envelope_id?: string });
      } catch {
        double.acks.push({ payload: text });
      }
    });
    if (!double.holdHello)
      socket.write(frame(0x1, Buffer.from(JSON.stringify({ type: "hello", num_connections: 1 }))));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  double.url = `${base}/api/`;
  return double;
}

/** Passes a Web API call on to another double, answer and all. */
async function forward(req: IncomingMessage, res: ServerResponse, url: string): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers: Record<string, string> = {};
  for (const name of ["content-type", "authorization"]) {
    const value = req.headers[name];
    if (typeof value === "string") headers[name] = value;
  }
  try {
    const answer = await fetch(url, { method: req.method ?? "POST", headers, body: Buffer.concat(chunks) });
    res.writeHead(answer.status, {
      "content-type": answer.headers.get("content-type") ?? "application/json",
    });
    res.end(Buffer.from(await answer.arrayBuffer()));
  } catch {
    res.writeHead(502).end();
  }
}
