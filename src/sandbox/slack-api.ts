import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createConversationSurfaces } from "./slack-conversations.js";
import type {
  RecordedCall,
  SlackApiDouble,
  SlackApiDoubleOptions,
  StoredMessage,
  StoredUpload,
} from "./slack-double-types.js";
import { createFileSurfaces } from "./slack-files.js";
import { parseArgs, readBody, send } from "./slack-http.js";
import { type Answer, channelPostPace, fail, isObj, messageContentProblem, ok, str } from "./slack-limits.js";
import { createPeopleSurfaces } from "./slack-people.js";
import { createViewSurfaces } from "./slack-views.js";

export type {
  RecordedCall,
  SlackApiDouble,
  SlackApiDoubleOptions,
  StoredMessage,
  StoredUpload,
} from "./slack-double-types.js";

export type { Answer } from "./slack-limits.js";

type Args = Record<string, unknown>;
type Fault = { method: string; remaining: number } & (
  | { kind: "fail"; error: string }
  | { kind: "ratelimit"; retryAfter: number }
  | { kind: "delay"; ms: number }
  | { kind: "lose" }
  | { kind: "server"; status: number }
);

export async function startSlackApiDouble(opts: SlackApiDoubleOptions = {}): Promise<SlackApiDouble> {
  const botUserId = opts.botUserId ?? "UBOT";
  const teamId = opts.teamId ?? "T0001";
  const botId = "BBOT";
  const calls: RecordedCall[] = [];
  const uploads: StoredUpload[] = [];
  const responses: { path: string; body: unknown }[] = [];
  const stored = new Map<string, StoredMessage[]>();
  const users = new Map<string, Args>();
  const refusedTokens = new Map<string, string>();
  let faults: Fault[] = [];
  let permanent: { method: string; error: string; channel?: string }[] = [];
  /** Calls a `delay` fault holds, each with what lets it answer (`endDelays`, `close`). */
  const held = new Map<NodeJS.Timeout, () => void>();
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
        held.delete(timer);
        resolve();
      }, ms);
      held.set(timer, resolve);
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
  const people = createPeopleSurfaces(nextId);
  const conversations = createConversationSurfaces({ stored, channelNames, findMessage, messageJson });
  const modals = createViewSurfaces({ teamId, botId, nextId, nextTs });
  const files = createFileSurfaces({ uploads, botUserId, nextId, nextTs, channelMessages, base: () => base });
  const handlers: Record<string, (args: Args) => Answer> = {
    ...people.handlers,
    ...conversations.handlers,
    ...modals.handlers,
    ...files.handlers,
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
    "users.info": (args) => {
      const id = str(args.user);
      if (!id) return fail("user_not_found");
      const user = users.get(id) ?? { id, name: id.toLowerCase(), tz: "Europe/Berlin", tz_offset: 3600 };
      const name = str(user.name) || id.toLowerCase();
      const profile = { display_name: name, real_name: name };
      return ok({ user: { team_id: teamId, real_name: name, is_bot: false, profile, ...user, name } });
    },
  };

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const contentType = req.headers["content-type"] ?? "";
    const raw = await readBody(req);
    if (url.pathname.startsWith("/upload/")) {
      const answer = await files.receive(url.pathname.slice(8), contentType, raw);
      return send(res, answer.status, answer.body);
    }
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
    endDelays: () => {
      faults = faults.filter((f) => f.kind !== "delay");
      for (const [timer, answer] of held) {
        clearTimeout(timer);
        answer();
      }
      held.clear();
    },
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
      modals.reset();
      users.clear();
      people.reset();
      refusedTokens.clear();
      faults = [];
      permanent = [];
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of held.keys()) clearTimeout(timer);
        held.clear();
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
