import type { FetchFunction } from "@slack/web-api";
import type { Metrics } from "../core/ports.js";

type FetchResponse = Awaited<ReturnType<FetchFunction>>;

/**
 * The Web API client's `fetch` (Bolt's clients and the bot's own): counts each call by method and
 * outcome (ok, Slack's error code, 429, the HTTP status, network_error) without changing it. The
 * body is read from a clone, so the client reads the answer as before.
 */
export function countingFetch(
  metrics: Metrics,
  inner: FetchFunction = globalThis.fetch as unknown as FetchFunction,
): FetchFunction {
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
  // The platform's fetch answers a Response, which can be read twice through a clone.
  const clone = (response as Partial<Response>).clone?.();
  if (!clone) return "ok";
  try {
    const body = (await clone.json()) as { ok?: unknown; error?: unknown };
    if (body.ok === true) return "ok";
    return typeof body.error === "string" ? body.error.slice(0, 64) : "not_ok";
  } catch {
    // Uploads to a file URL answer text, not JSON: a 2xx is a success.
    return "ok";
  }
}
