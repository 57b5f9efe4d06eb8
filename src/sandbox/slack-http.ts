import type { IncomingMessage, ServerResponse } from "node:http";

/** The local Slack's HTTP plumbing: reading a Web API call's arguments and answering. */

type Args = Record<string, unknown>;

const JSON_FIELDS = ["blocks", "attachments", "view", "files", "metadata"];
export async function parseArgs(contentType: string, raw: Buffer, query: URLSearchParams): Promise<Args> {
  const args: Args = Object.fromEntries(query);
  if (contentType.includes("application/json")) {
    if (raw.length > 0) Object.assign(args, JSON.parse(raw.toString("utf8")));
  } else if (contentType.includes("multipart/form-data")) {
    const form = await new Response(raw, { headers: { "content-type": contentType } }).formData();
    for (const [key, value] of form) {
      args[key] = typeof value === "string" ? value : Buffer.from(await value.arrayBuffer());
    }
  } else {
    Object.assign(args, Object.fromEntries(new URLSearchParams(raw.toString("utf8"))));
  }
  for (const key of JSON_FIELDS) {
    const value = args[key];
    if (typeof value !== "string") continue;
    try {
      args[key] = JSON.parse(value);
    } catch {
      // Left as a string: block validation then refuses it, like Slack refuses malformed JSON.
    }
  }
  return args;
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
) {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const type = typeof body === "string" ? "text/plain" : "application/json; charset=utf-8";
  res.writeHead(status, { "content-type": type, ...headers }).end(text);
}
