import type { FetchFunction } from "@slack/web-api";
import type { Metrics } from "../core/ports.js";
import { type LeanResponse, leanFetch } from "./lean-fetch.js";

type FetchResponse = Awaited<ReturnType<FetchFunction>>;

/**
 * The Web API client's `fetch` (Bolt's clients and the bot's own, over lean-fetch.ts unless told
 * otherwise): counts each call by method and outcome (ok, Slack's error code, 429, the HTTP
 * status, network_error) without changing it. The answer is read from text the lean fetch holds,
 * or from a clone, so the client reads it as before.
 */
export function countingFetch(metrics: Metrics, inner: FetchFunction = leanFetch()): FetchFunction {
  return async (url, init) => {
    const method = methodOf(url);
    let response: FetchResponse;
    try {
      response = await inner(url, init);
    } catch (error) {
      metrics.slackCall(method, "network_error");
      throw error;
    }
    void outcomeOf(response).then((outcome) => metrics.slackCall(method, outcome));
    return response;
  };
}

/** `…/api/chat.postMessage` → `chat.postMessage`; an upload to a file URL → `file_upload`. */
export function methodOf(url: string | URL): string {
  const path = new URL(String(url), "http://localhost").pathname;
  const match = /\/api\/([A-Za-z0-9_.]+)$/.exec(path);
  return match?.[1] ?? "file_upload";
}

async function outcomeOf(response: FetchResponse): Promise<string> {
  if (response.status === 429) return "429";
  if (!response.ok) return `http_${response.status}`;
  // The lean fetch's answer is read already: look at its text (Slack's answers start with "ok").
  const peek = (response as Partial<LeanResponse>).peekText;
  if (peek) {
    const text = peek();
    if (text.startsWith('{"ok":true')) return "ok";
    return outcomeOfBody(() => JSON.parse(text) as unknown);
  }
  // The platform's fetch answers a Response, which can be read twice through a clone.
  const clone = (response as Partial<Response>).clone?.();
  if (!clone) return "ok";
  return outcomeOfBody(() => clone.json());
}

async function outcomeOfBody(read: () => unknown): Promise<string> {
  try {
    const body = (await read()) as { ok?: unknown; error?: unknown };
    if (body.ok === true) return "ok";
    return typeof body.error === "string" ? body.error.slice(0, 64) : "not_ok";
  } catch {
    // Uploads to a file URL answer text, not JSON: a 2xx is a success.
    return "ok";
  }
}
