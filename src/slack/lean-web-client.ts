import {
  type FetchFunction,
  SlackError,
  type WebAPICallResult,
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
  WebClient,
  type WebClientOptions,
} from "@slack/web-api";

/**
 * The bot's Web API client. Its ordinary calls (everything but file uploads) skip what the
 * library's `apiCall` does for every call whatever the log level: three debug lines built by
 * copying the request, its headers and the whole answer (a run message's blocks included) through
 * a redacting walk with a regular expression per key and then `JSON.stringify`; a request queue
 * and a retry wrapper around a single attempt. Profiled under load that was ~7 % of the bot's
 * CPU beside ~5 % for the HTTP itself. What a call sends, answers and throws is the library's:
 * the same form-encoded body, `WebAPIPlatformError` for `ok: false`, `WebAPIRateLimitedError`
 * for a 429 (rejected, never retried here), `WebAPIHTTPError` for another status,
 * `WebAPIRequestError` when no answer came (the 10 s timeout included). With `LOG_LEVEL=debug`,
 * and for uploads, every call goes through the library's own path.
 */
export class LeanWebClient extends WebClient {
  private readonly lean: {
    fetch: FetchFunction;
    headers: Record<string, string>;
    timeoutMs: number;
    warn: (message: string) => void;
  };
  private readonly libraryPath: boolean;

  constructor(
    token: string,
    options: Omit<WebClientOptions, "retryConfig" | "rejectRateLimitedCalls" | "fetch"> & {
      fetch: FetchFunction;
      /** Whether debug lines are wanted: then every call takes the library's path, which logs them. */
      debug: boolean;
    },
  ) {
    const { debug, ...client } = options;
    // Retries are the callers' (they honour Retry-After and look for a post whose answer was lost).
    super(token, { ...client, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true });
    const defaults = (this as unknown as { defaultHeaders?: Record<string, string> }).defaultHeaders ?? {};
    this.lean = {
      fetch: options.fetch,
      headers: {
        ...defaults,
        Authorization: `Bearer ${token}`,
        Accept: "application/json",
        "Content-Type": "application/x-www-form-urlencoded",
      },
      timeoutMs: options.timeout ?? 0,
      // Warnings go where the library's go: the logger it was given.
      warn: (message) => options.logger?.warn(message),
    };
    this.libraryPath = debug;
  }

  override async apiCall(method: string, options: Record<string, unknown> = {}): Promise<WebAPICallResult> {
    if (this.libraryPath || !ordinary(method, options)) return super.apiCall(method, options);
    const { token, ...args } = options;
    const headers =
      typeof token === "string"
        ? { ...this.lean.headers, Authorization: `Bearer ${token}` }
        : this.lean.headers;
    let response: Awaited<ReturnType<FetchFunction>>;
    try {
      response = await this.lean.fetch(`${this.slackApiUrl}${method}`, {
        method: "POST",
        headers,
        body: formBody(args),
        redirect: "error",
        ...(this.lean.timeoutMs > 0 ? { signal: AbortSignal.timeout(this.lean.timeoutMs) } : {}),
      });
    } catch (error) {
      if (error instanceof SlackError) throw error;
      const original = error instanceof Error ? error : new Error(String(error));
      this.lean.warn(`http request failed: ${original.message}`);
      throw new WebAPIRequestError(original);
    }
    if (response.status === 429) {
      const retryAfter = retryAfterSeconds(response.headers.get("retry-after"));
      if (retryAfter === undefined)
        throw new Error(
          `Retry header did not contain a valid timeout (url: ${this.slackApiUrl}${method}, retry-after header: ${response.headers.get("retry-after")})`,
        );
      throw new WebAPIRateLimitedError(retryAfter);
    }
    if (response.status !== 200)
      throw new WebAPIHTTPError(
        response.status,
        response.statusText,
        Object.fromEntries(response.headers.entries()),
        await response.text(),
      );
    const result = await resultOf(response);
    for (const warning of result.response_metadata?.warnings ?? []) this.lean.warn(warning);
    for (const message of result.response_metadata?.messages ?? []) {
      const said = /\[(ERROR|WARN)\](.*)/.exec(message);
      if (said) this.lean.warn((said[2] ?? "").trim());
    }
    if (result.ok !== true) throw new WebAPIPlatformError(result as WebAPICallResult & { error: string });
    return result;
  }
}

/** A method name (not an absolute URL) and not an upload: no file, content or buffer among the arguments. */
function ordinary(method: string, options: Record<string, unknown>): boolean {
  if (method === "files.uploadV2" || method === "files.upload" || /^https?:\/\//.test(method)) return false;
  if ("file" in options || "content" in options || "file_uploads" in options) return false;
  return !Object.values(options).some((value) => Buffer.isBuffer(value));
}

/**
 * As the library sends it: scalars as they are, anything else as JSON, nothing for undefined or
 * null; the same text `querystring.stringify` makes, encoded natively (a run message's blocks are
 * ~15 KB: a third of the time, and one string instead of one per character).
 */
export function formBody(args: Record<string, unknown>): string {
  const fields: string[] = [];
  for (const [key, value] of Object.entries(args)) {
    if (value === undefined || value === null) continue;
    const text =
      typeof value === "string" || typeof value === "number" || typeof value === "boolean"
        ? String(value)
        : JSON.stringify(value);
    fields.push(`${encodeURIComponent(key)}=${encodeURIComponent(text)}`);
  }
  return fields.join("&");
}

function retryAfterSeconds(header: string | null): number | undefined {
  if (header === null) return undefined;
  const seconds = Number.parseInt(header, 10);
  return Number.isNaN(seconds) ? undefined : seconds;
}

/** The answer's JSON (text that is not JSON is an error, as the library has it) with its metadata. */
async function resultOf(response: Awaited<ReturnType<FetchFunction>>): Promise<WebAPICallResult> {
  const text = await response.text();
  let result: WebAPICallResult;
  try {
    result = JSON.parse(text) as WebAPICallResult;
  } catch {
    result = { ok: false, error: text } as WebAPICallResult;
  }
  result.response_metadata ??= {};
  const scopes = response.headers.get("x-oauth-scopes");
  if (scopes !== null) result.response_metadata.scopes = scopes.trim().split(/\s*,\s*/);
  const accepted = response.headers.get("x-accepted-oauth-scopes");
  if (accepted !== null) result.response_metadata.acceptedScopes = accepted.trim().split(/\s*,\s*/);
  return result;
}
