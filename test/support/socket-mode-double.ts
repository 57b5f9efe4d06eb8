import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";

/**
 * Just enough of Slack for Socket Mode: `auth.test`, `apps.connections.open` (answering a
 * WebSocket URL on this server), `{ ok: true }` for any other method, and a WebSocket endpoint
 * that says `hello` (Slack's "connected") and answers pings. `drop()` closes every socket as
 * Slack does on a refresh; while `holdHello` is set, a new socket is accepted but never told hello.
 */
export interface SocketModeDouble {
  /** SLACK_API_URL. */
  url: string;
  connections(): number;
  drop(): void;
  holdHello: boolean;
  close(): Promise<void>;
}

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

function frame(opcode: number, payload: Buffer): Buffer {
  if (payload.length >= 126) throw new Error("the double sends only short frames");
  return Buffer.concat([Buffer.from([0x80 | opcode, payload.length]), payload]);
}

/** Client frames are masked; only whole frames are handled (pings, closes). */
function onFrames(socket: Socket): void {
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
      if (opcode === 0x9) socket.write(frame(0xa, payload));
      if (opcode === 0x8) socket.end(frame(0x8, Buffer.alloc(0)));
    }
  });
}

export async function startSocketModeDouble(): Promise<SocketModeDouble> {
  const sockets = new Set<Socket>();
  let base = "";
  const answer = (req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    const method = (req.url ?? "").replace(/^\/api\//, "").split("?")[0];
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
  const double: SocketModeDouble = {
    url: "",
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
    onFrames(socket);
    if (!double.holdHello)
      socket.write(frame(0x1, Buffer.from(JSON.stringify({ type: "hello", num_connections: 1 }))));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  base = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  double.url = `${base}/api/`;
  return double;
}
