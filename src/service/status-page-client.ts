import type { StatusPageCall, StatusPageClient, StatusPageOutcome } from "../core/communication-ports.js";

/**
 * The status-page hook over HTTP: a POST of the rendered JSON body, with the Authorization header
 * taken from the environment variable the checklist names. Network errors, 429 and 5xx are tried
 * again a few times; any other answer, a missing variable or the last failure is the outcome,
 * which the caller records on the run. The effect id goes along as an Idempotency-Key, so a
 * status page that honours it never shows one update twice.
 */
export function createStatusPageClient(deps: {
  env: Readonly<Record<string, string | undefined>>;
  fetch?: typeof fetch;
  /** Waits before each retry (ms). */
  retryDelaysMs?: readonly number[];
  timeoutMs?: number;
}): StatusPageClient {
  const doFetch = deps.fetch ?? fetch;
  const delays = deps.retryDelaysMs ?? [500, 2_000, 5_000];
  const timeoutMs = deps.timeoutMs ?? 10_000;

  async function call(effectId: string, request: StatusPageCall): Promise<StatusPageOutcome> {
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "idempotency-key": effectId,
    };
    if (request.authHeaderEnv !== undefined) {
      const value = deps.env[request.authHeaderEnv];
      if (!value)
        return {
          ok: false,
          error: `the environment variable ${request.authHeaderEnv} (the status page's Authorization header) is not set`,
        };
      headers.authorization = value;
    }
    let last = "";
    for (let attempt = 0; attempt <= delays.length; attempt++) {
      if (attempt > 0) await sleep(delays[attempt - 1] as number);
      try {
        const response = await doFetch(request.url, {
          method: "POST",
          headers,
          body: request.body,
          signal: AbortSignal.timeout(timeoutMs),
        });
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) return { ok: true, status: response.status };
        last = `HTTP ${response.status}`;
        if (response.status !== 429 && response.status < 500) return { ok: false, error: last };
      } catch (error) {
        last = error instanceof Error ? error.message : String(error);
      }
    }
    return { ok: false, error: `${last} (after ${delays.length + 1} attempts)` };
  }

  return { call };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
