import { CheckError, type HttpAnswer, type HttpProbe } from "../core/checks/check-ports.js";
import { formatDuration } from "../core/duration.js";

/** The HTTP adapter of `http.check`: Node's fetch, a deadline, and a body read up to a limit. */

const BODY_LIMIT_BYTES = 256 * 1024;

const TLS_CODES = /^(CERT_|ERR_TLS_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_SSL_)/;

export function createHttpProbe(options: { bodyLimitBytes?: number } = {}): HttpProbe {
  const limit = options.bodyLimitBytes ?? BODY_LIMIT_BYTES;
  return {
    async request(url, method, timeoutMs): Promise<HttpAnswer> {
      const signal = AbortSignal.timeout(timeoutMs);
      try {
        const response = await fetch(url, {
          method,
          signal,
          redirect: "follow",
          headers: { "user-agent": "Preflight http.check", "cache-control": "no-cache" },
        });
        const headers: Record<string, string> = {};
        response.headers.forEach((value, name) => {
          headers[name.toLowerCase()] = value;
        });
        const body = method === "HEAD" ? "" : await readBody(response, limit);
        return { status: response.status, headers, body };
      } catch (error) {
        throw httpError(error, url, timeoutMs);
      }
    },
  };
}

async function readBody(response: Response, limit: number): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size >= limit) {
      await reader.cancel();
      break;
    }
  }
  return new TextDecoder().decode(Buffer.concat(chunks).subarray(0, limit));
}

/** Connection refused, DNS, TLS and time-outs: one plain line each. */
export function httpError(error: unknown, url: string, timeoutMs: number): CheckError {
  const name = error instanceof Error ? error.name : "";
  if (name === "TimeoutError" || name === "AbortError")
    return new CheckError("timeout", `no answer within ${formatDuration(timeoutMs)}`);
  const cause = (error as { cause?: { code?: string; message?: string } } | undefined)?.cause;
  const code = cause?.code ?? (error as { code?: string } | undefined)?.code ?? "";
  let host = url;
  try {
    const parsed = new URL(url);
    host = parsed.host;
  } catch {
    // The URL is quoted as written.
  }
  if (code === "ECONNREFUSED") return new CheckError("refused", `connection refused by ${host}`);
  if (code === "ENOTFOUND" || code === "EAI_AGAIN")
    return new CheckError("dns", `the host name ${host.replace(/:\d+$/, "")} does not resolve (DNS)`);
  if (TLS_CODES.test(code))
    return new CheckError("tls", `TLS failed with ${host}: ${cause?.message ?? code}`);
  if (code === "ECONNRESET") return new CheckError("other", `${host} closed the connection`);
  if (code === "UND_ERR_CONNECT_TIMEOUT" || code === "ETIMEDOUT")
    return new CheckError("timeout", `no connection to ${host} within ${formatDuration(timeoutMs)}`);
  const message = cause?.message ?? (error instanceof Error ? error.message : String(error));
  return new CheckError("other", `the request failed: ${message}`);
}
