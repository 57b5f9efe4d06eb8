import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type Answer,
  channelPostPace,
  fail,
  isObj,
  messageContentProblem,
  ok,
  str,
  viewProblem,
} from "./slack-limits.js";
import { createPeopleSurfaces, type UserGroup } from "./slack-people.js";

export interface RecordedCall {
  method: string;
  args: Record<string, unknown>;
  token: string | undefined;
  at: number;
  /** HTTP status of the answer: 0 while still pending, 429 when rate limited. */
  status: number;
  /** Slack error code when the answer was `ok: false`. */
  error?: string;
}

export interface StoredMessage {
  channel: string;
  ts: string;
  thread_ts?: string;
  text?: string;
  blocks?: unknown[];
  user?: string;
  /** Message metadata as posted (`event_type`, `event_payload`); returned with include_all_metadata. */
  metadata?: unknown;
  /** Files shared with the message (an upload completed into a channel or thread). */
  files?: { id: string; name: string; title?: string }[];
  updates: number;
}

export interface StoredUpload {
  fileId: string;
  filename: string;
  length: number;
  content: Buffer;
  /** Bytes arrived at the upload URL. */
  uploaded: boolean;
  completed: boolean;
  channel?: string;
  threadTs?: string;
  title?: string;
  initialComment?: string;
}

export interface SlackApiDouble {
  url: string;
  calls: RecordedCall[];
  callsTo(method: string): RecordedCall[];
  messages(channel: string): StoredMessage[];
  thread(channel: string, threadTs: string): StoredMessage[];
  message(channel: string, ts: string): StoredMessage | undefined;
  ephemerals(channel?: string): RecordedCall[];
  uploads: StoredUpload[];
  /** A response_url the double answers; what is posted to it lands in `responses`. */
  responseUrl(id?: string): string;
  responses: { path: string; body: unknown }[];
  failNext(method: string, error: string, times?: number): void;
  rateLimitNext(method: string, retryAfterSeconds: number, times?: number): void;
  /** Ends the rate limits `rateLimitNext` set on `method` (a limit held until the test lets go). */
  liftRateLimit(method: string): void;
  delayNext(method: string, ms: number, times?: number): void;
  /** A message a person wrote (the sandbox's message box); stored like the bot's. */
  postAsUser(message: { channel: string; user: string; text: string; thread_ts?: string }): StoredMessage;
  /** Carries the call out, then answers HTTP 500 as if the answer was lost on the way back. */
  loseAnswerNext(method: string, times?: number): void;
  /** Answers HTTP `status` (500, 503) without carrying the call out. */
  serverErrorNext(method: string, status?: number, times?: number): void;
  /** Every call of `method` answers `ok:false` with `error` until `clearFailures` (a permanent fault). */
  failAlways(method: string, error: string, channel?: string): void;
  clearFailures(): void;
  setUser(user: { id: string; name?: string; tz?: string; tz_offset?: number }): void;
  /** A user group (usergroups.list, usergroups.users.list answer it). */
  setUserGroup(group: UserGroup): void;
  /** The Home tab last published (views.publish) for a person. */
  homeView(user: string): { blocks?: unknown[] } | undefined;
  /** Answer every call made with this token with `error` (invalid_auth unless told), as Slack does. */
  refuseToken(token: string, error?: string): void;
  waitFor<T>(probe: () => T | undefined | false, timeoutMs?: number): Promise<T>;
  reset(): void;
  close(): Promise<void>;
}

export type { Answer } from "./slack-limits.js";

export interface SlackApiDoubleOptions {
  botUserId?: string;
  teamId?: string;
  /** Message timestamps follow this clock (ms); the real time by default. */
  now?: () => number;
  /** Known channels: `#name` resolves to the id, conversations.info answers the name. */
  channels?: { id: string; name: string }[];
  /** Where chat.getPermalink points (the sandbox's page); Slack's workspace URL by default. */
  workspaceUrl?: string;
  /** Told about every answered call (the sandbox's page listens). */
  onCall?: (call: RecordedCall, answer: Answer) => void;
  /** Slack's per-channel pace for chat.postMessage (about 1/s, burst 5): 429 beyond it. */
  channelPace?: { perSecond: number; burst: number };
}
type Args = Record<string, unknown>;
type Fault = { method: string; remaining: number } & (
  | { kind: "fail"; error: string }
  | { kind: "ratelimit"; retryAfter: number }
  | { kind: "delay"; ms: number }
  | { kind: "lose" }
  | { kind: "server"; status: number }
);

const JSON_FIELDS = ["blocks", "attachments", "view", "files", "metadata"];
async function parseArgs(contentType: string, raw: Buffer, query: URLSearchParams): Promise<Args> {
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

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  const type = typeof body === "string" ? "text/plain" : "application/json; charset=utf-8";
  res.writeHead(status, { "content-type": type, ...headers }).end(text);
}

export async function startSlackApiDouble(opts: SlackApiDoubleOptions = {}): Promise<SlackApiDouble> {
  const botUserId = opts.botUserId ?? "UBOT";
  const teamId = opts.teamId ?? "T0001";
  const botId = "BBOT";
  const calls: RecordedCall[] = [];
  const uploads: StoredUpload[] = [];
  const responses: { path: string; body: unknown }[] = [];
  const stored = new Map<string, StoredMessage[]>();
  const views = new Map<string, Args>();
  const users = new Map<string, Args>();
  const refusedTokens = new Map<string, string>();
  let faults: Fault[] = [];
  let permanent: { method: string; error: string; channel?: string }[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let seq = 0;
  let tsSeq = 0;
  let base = "";

  const nextId = (prefix: string) => `${prefix}${(++seq).toString(36).toUpperCase().padStart(8, "0")}`;
  const channelIds = new Map((opts.channels ?? []).map((c) => [c.name, c.id]));
  const postPace = opts.channelPace ? channelPostPace(opts.channelPace) : undefined;
  const channelNames = new Map((opts.channels ?? []).map((c) => [c.id, c.name]));
  /** Like Slack, a channel may be named: `#business-updates` or `business-updates`. */
  const resolveChannel = (channel: string) => channelIds.get(channel.replace(/^#/, "")) ?? channel;
  const clock = opts.now ?? Date.now;
  // Like Slack: seconds.microseconds of the time of posting, unique and increasing.
  const nextTs = () => {
    tsSeq = Math.max(tsSeq + 1, Math.floor(clock() * 1000));
    return `${Math.floor(tsSeq / 1e6)}.${String(tsSeq % 1e6).padStart(6, "0")}`;
  };
  const channelMessages = (channel: string) => {
    const list = stored.get(channel) ?? [];
    stored.set(channel, list);
    return list;
  };
  const findMessage = (channel: string, ts: string) => stored.get(channel)?.find((m) => m.ts === ts);
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, ms);
      timers.add(timer);
    });
  const takeFault = (method: string, kind: Fault["kind"]): Fault | undefined => {
    const fault = faults.find((f) => f.method === method && f.kind === kind);
    if (fault && --fault.remaining <= 0) faults = faults.filter((f) => f !== fault);
    return fault;
  };
  // Undefined fields (thread_ts, blocks) simply vanish from the JSON answer.
  const messageJson = ({ channel: _, updates: __, ...m }: StoredMessage) => ({
    type: "message",
    bot_id: botId,
    team: teamId,
    ...m,
    text: m.text ?? "",
  });
  const withoutMetadata = (m: Args, keep: boolean) => {
    if (keep) return m;
    const { metadata: _, ...rest } = m;
    return rest;
  };
  const publicView = (id: string, view: Args, extra: Args = {}) => {
    const full = {
      id,
      team_id: teamId,
      app_id: "A0001",
      bot_id: botId,
      hash: nextTs(),
      state: { values: {} },
      ...view,
      ...extra,
    };
    views.set(id, full);
    return full;
  };

  const openView = (args: Args, isRoot: boolean): Answer => {
    if (!str(args.trigger_id)) return fail("invalid_arguments", "trigger_id is required");
    const problem = viewProblem(args.view);
    if (problem) return fail("invalid_arguments", problem);
    const id = nextId("V");
    return ok({ view: publicView(id, args.view as Args, isRoot ? { root_view_id: id } : {}) });
  };

  const people = createPeopleSurfaces(nextId);
  const handlers: Record<string, (args: Args) => Answer> = {
    ...people.handlers,
    "auth.test": () =>
      ok({
        url: "https://example.slack.com/",
        team: "Example",
        team_id: teamId,
        user: "preflight",
        user_id: botUserId,
        bot_id: botId,
        is_enterprise_install: false,
      }),
    // Socket Mode's first call, made with the app-level token. The double speaks no WebSocket:
    // the URL it answers is only for checking the token.
    "apps.connections.open": () => ok({ url: `${base.replace(/^http/, "ws")}socket-mode` }),
    "chat.postMessage": (args) => {
      const channel = resolveChannel(str(args.channel));
      if (!channel) return fail("channel_not_found");
      const problem = messageContentProblem(args, false);
      if (problem) return problem;
      const message: StoredMessage = { channel, ts: nextTs(), user: botUserId, updates: 0 };
      if (args.thread_ts) message.thread_ts = str(args.thread_ts);
      if (args.text) message.text = str(args.text);
      if (Array.isArray(args.blocks)) message.blocks = args.blocks;
      if (isObj(args.metadata)) message.metadata = args.metadata;
      channelMessages(channel).push(message);
      return ok({ channel, ts: message.ts, message: messageJson(message) });
    },
    "chat.update": (args) => {
      const message = findMessage(str(args.channel), str(args.ts));
      if (!message) return fail("message_not_found");
      const problem = messageContentProblem(args, true);
      if (problem) return problem;
      // Like Slack: a field left out keeps its previous value; `blocks: []` removes the blocks.
      if (args.text !== undefined) message.text = str(args.text);
      if (Array.isArray(args.blocks)) message.blocks = args.blocks.length > 0 ? args.blocks : undefined;
      if (isObj(args.metadata)) message.metadata = args.metadata;
      message.updates += 1;
      return ok({
        channel: message.channel,
        ts: message.ts,
        text: message.text ?? "",
        message: messageJson(message),
      });
    },
    "chat.postEphemeral": (args) => {
      if (!str(args.channel)) return fail("channel_not_found");
      if (!str(args.user)) return fail("user_not_in_channel");
      return messageContentProblem(args, false) ?? ok({ message_ts: nextTs() });
    },
    "chat.getPermalink": (args) => {
      const channel = str(args.channel);
      const ts = str(args.message_ts);
      if (!findMessage(channel, ts)) return fail("message_not_found");
      return ok({
        channel,
        permalink: `${opts.workspaceUrl ?? "https://example.slack.com/"}archives/${channel}/p${ts.replace(".", "")}`,
      });
    },
    "views.open": (args) => openView(args, true),
    "views.push": (args) => openView(args, false),
    "views.update": (args) => {
      const id = str(args.view_id) || [...views.values()].find((v) => v.external_id === args.external_id)?.id;
      if (typeof id !== "string" || !views.has(id)) return fail("not_found");
      const problem = viewProblem(args.view);
      if (problem) return fail("invalid_arguments", problem);
      const previous = views.get(id) ?? {};
      return ok({ view: publicView(id, args.view as Args, { root_view_id: previous.root_view_id }) });
    },
    "users.info": (args) => {
      const id = str(args.user);
      if (!id) return fail("user_not_found");
      const user = users.get(id) ?? { id, name: id.toLowerCase(), tz: "Europe/Berlin", tz_offset: 3600 };
      const name = str(user.name) || id.toLowerCase();
      const profile = { display_name: name, real_name: name };
      return ok({ user: { team_id: teamId, real_name: name, is_bot: false, profile, ...user, name } });
    },
    "conversations.history": (args) => {
      const channel = str(args.channel);
      if (!channel) return fail("channel_not_found");
      const oldest = Number(str(args.oldest) || "0");
      const withMeta = String(args.include_all_metadata) === "true";
      const top = (stored.get(channel) ?? [])
        .filter((m) => (!m.thread_ts || m.thread_ts === m.ts) && Number(m.ts) >= oldest)
        .reverse()
        .slice(0, Number(args.limit) || 100)
        .map((m) => withoutMetadata(messageJson(m), withMeta));
      return ok({ messages: top, has_more: false });
    },
    "conversations.replies": (args) => {
      const channel = str(args.channel);
      const ts = str(args.ts);
      const parent = findMessage(channel, ts);
      if (!parent) return fail("thread_not_found");
      const withMeta = String(args.include_all_metadata) === "true";
      const replies = (stored.get(channel) ?? [])
        .filter((m) => m.ts === ts || m.thread_ts === ts)
        .map((m) => withoutMetadata(messageJson(m), withMeta));
      return ok({ messages: replies, has_more: false });
    },
    "conversations.info": (args) => {
      const id = str(args.channel);
      if (!id) return fail("channel_not_found");
      const name = channelNames.get(id) ?? `channel-${id.toLowerCase()}`;
      return ok({ channel: { id, name, is_channel: true, is_member: true } });
    },
    "files.getUploadURLExternal": (args) => {
      const filename = str(args.filename);
      const length = Number(args.length);
      if (!filename || !Number.isInteger(length) || length < 0)
        return fail("invalid_arguments", "filename and length are required");
      const fileId = nextId("F");
      uploads.push({ fileId, filename, length, content: Buffer.alloc(0), uploaded: false, completed: false });
      return ok({ upload_url: `${base}upload/${fileId}`, file_id: fileId });
    },
    "files.completeUploadExternal": (args) => {
      const files = args.files;
      if (!Array.isArray(files) || files.length === 0) return fail("invalid_arguments", "files is required");
      const targets = files.map((f) => uploads.find((u) => isObj(f) && u.fileId === f.id));
      if (targets.some((u) => !u?.uploaded))
        return fail("invalid_arguments", "unknown or not uploaded file id");
      for (const [i, upload] of targets.entries()) {
        if (!upload) continue;
        const entry = files[i] as Args;
        Object.assign(upload, {
          completed: true,
          channel: str(args.channel_id) || undefined,
          threadTs: str(args.thread_ts) || undefined,
          title: str(entry.title) || upload.filename,
          initialComment: str(args.initial_comment) || undefined,
        });
      }
      const channelId = str(args.channel_id);
      if (channelId) {
        const shared: StoredMessage = { channel: channelId, ts: nextTs(), user: botUserId, updates: 0 };
        if (str(args.thread_ts)) shared.thread_ts = str(args.thread_ts);
        if (str(args.initial_comment)) shared.text = str(args.initial_comment);
        shared.files = targets.map((u) => ({
          id: u?.fileId ?? "",
          name: u?.filename ?? "",
          title: u?.title,
        }));
        channelMessages(channelId).push(shared);
      }
      return ok({
        files: targets.map((u) => ({ id: u?.fileId, name: u?.filename, title: u?.title, size: u?.length })),
      });
    },
  };

  async function handleUpload(fileId: string, contentType: string, raw: Buffer, res: ServerResponse) {
    const upload = uploads.find((u) => u.fileId === fileId);
    if (!upload) return send(res, 404, "no such upload");
    let content = raw;
    // WebClient 8 sends the bytes as multipart/form-data (field "body"); curl-style clients may send raw bytes.
    if (contentType.includes("multipart/form-data")) {
      const form = await new Response(raw, { headers: { "content-type": contentType } }).formData();
      const file = [...form.values()].find((v) => typeof v !== "string");
      content = typeof file === "object" ? Buffer.from(await file.arrayBuffer()) : Buffer.alloc(0);
    }
    Object.assign(upload, { content, uploaded: true });
    send(res, 200, `OK - ${content.length}`);
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const contentType = req.headers["content-type"] ?? "";
    const raw = await readBody(req);
    if (url.pathname.startsWith("/upload/"))
      return handleUpload(url.pathname.slice(8), contentType, raw, res);
    if (url.pathname.startsWith("/response/")) {
      // A command's or action's response_url: what the person sees in answer.
      let body: unknown = raw.toString("utf8");
      try {
        body = JSON.parse(String(body));
      } catch {
        // Not JSON: kept as text.
      }
      responses.push({ path: url.pathname, body });
      return send(res, 200, "ok");
    }
    if (!url.pathname.startsWith("/api/")) return send(res, 404, "not found");
    const method = url.pathname.slice(5);
    let args: Args = {};
    let parseError = false;
    try {
      args = await parseArgs(contentType, raw, url.searchParams);
    } catch {
      parseError = true;
    }
    const bearer = /^Bearer\s+(\S+)/i.exec(req.headers.authorization ?? "")?.[1];
    const token = bearer ?? (str(args.token) || undefined);
    delete args.token;
    const call: RecordedCall = { method, args, token, at: Date.now(), status: 0 };
    calls.push(call);

    const delay = takeFault(method, "delay");
    if (delay?.kind === "delay") await sleep(delay.ms);
    const limit = takeFault(method, "ratelimit");
    if (limit?.kind === "ratelimit") {
      Object.assign(call, { status: 429, error: "ratelimited" });
      return send(res, 429, { ok: false, error: "ratelimited" }, { "retry-after": String(limit.retryAfter) });
    }
    const paceWait = method === "chat.postMessage" ? postPace?.take(str(args.channel)) : undefined;
    if (paceWait) {
      Object.assign(call, { status: 429, error: "ratelimited" });
      return send(res, 429, { ok: false, error: "ratelimited" }, { "retry-after": String(paceWait) });
    }
    const server5xx = takeFault(method, "server");
    if (server5xx?.kind === "server") {
      Object.assign(call, { status: server5xx.status, error: "server_error" });
      return send(res, server5xx.status, "<html>Service Unavailable</html>");
    }
    const failure = takeFault(method, "fail");
    const always = permanent.find(
      (p) =>
        p.method === method &&
        (!p.channel || p.channel === str(args.channel) || p.channel === str(args.channel_id)),
    );
    const handler = handlers[method];
    let answer: Answer;
    if (parseError) answer = fail("invalid_form_data");
    else if (!token) answer = fail("not_authed");
    else if (refusedTokens.has(token)) answer = fail(refusedTokens.get(token) ?? "invalid_auth");
    else if (method === "apps.connections.open" && !token.startsWith("xapp-"))
      answer = fail("not_allowed_token_type");
    else if (failure?.kind === "fail") answer = fail(failure.error);
    else if (always) answer = fail(always.error);
    else answer = handler ? handler(args) : fail("unknown_method");
    if (takeFault(method, "lose")) {
      // Slack carried it out; the answer never arrived.
      Object.assign(call, { status: 500, error: "answer_lost" });
      return send(res, 500, "<html>Internal Server Error</html>");
    }
    call.status = 200;
    if (!answer.ok) call.error = answer.error;
    opts.onCall?.(call, answer);
    send(res, 200, answer);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, { ok: false, error: "internal_error", detail: String(err) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

  return {
    url: `${base}api/`,
    responseUrl: (id = "1") => `${base}response/${id}`,
    responses,
    calls,
    uploads,
    callsTo: (method) => calls.filter((c) => c.method === method),
    messages: (channel) => (stored.get(channel) ?? []).filter((m) => !m.thread_ts || m.thread_ts === m.ts),
    thread: (channel, threadTs) =>
      (stored.get(channel) ?? []).filter((m) => m.thread_ts === threadTs && m.ts !== threadTs),
    message: findMessage,
    ephemerals: (channel) =>
      calls
        .filter((c) => c.method === "chat.postEphemeral" && c.status === 200 && !c.error)
        .filter((c) => !channel || c.args.channel === channel),
    failNext: (method, error, times = 1) => faults.push({ method, kind: "fail", error, remaining: times }),
    rateLimitNext: (method, retryAfter, times = 1) =>
      faults.push({ method, kind: "ratelimit", retryAfter, remaining: times }),
    liftRateLimit: (method) => {
      faults = faults.filter((f) => !(f.method === method && f.kind === "ratelimit"));
    },
    delayNext: (method, ms, times = 1) => faults.push({ method, kind: "delay", ms, remaining: times }),
    loseAnswerNext: (method, times = 1) => faults.push({ method, kind: "lose", remaining: times }),
    serverErrorNext: (method, status = 500, times = 1) =>
      faults.push({ method, kind: "server", status, remaining: times }),
    failAlways: (method, error, channel) => {
      permanent.push({ method, error, ...(channel ? { channel } : {}) });
    },
    clearFailures: () => {
      permanent = [];
    },
    setUser: (user) => users.set(user.id, { ...user }),
    setUserGroup: people.setUserGroup,
    homeView: people.homeView,
    postAsUser({ channel, user, text, thread_ts }) {
      const message: StoredMessage = { channel, ts: nextTs(), user, text, updates: 0 };
      if (thread_ts) message.thread_ts = thread_ts;
      channelMessages(channel).push(message);
      return message;
    },
    refuseToken: (token, error = "invalid_auth") => refusedTokens.set(token, error),
    async waitFor<T>(probe: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
      const deadline = Date.now() + timeoutMs;
      let lastError: unknown;
      for (;;) {
        try {
          const value = probe();
          if (value !== undefined && value !== false && value !== null) return value;
        } catch (err) {
          lastError = err;
        }
        if (Date.now() >= deadline) {
          const seen =
            calls.map((c) => (c.error ? `${c.method}(${c.error})` : c.method)).join(", ") || "none";
          const cause = lastError ? `; last probe error: ${String(lastError)}` : "";
          throw new Error(
            `waitFor: condition not met within ${timeoutMs} ms${cause}; Web API calls so far: ${seen}`,
          );
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    reset() {
      calls.length = 0;
      uploads.length = 0;
      responses.length = 0;
      stored.clear();
      views.clear();
      users.clear();
      people.reset();
      refusedTokens.clear();
      faults = [];
      permanent = [];
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
