import { type Answer, type RecordedCall, type SlackApiDouble, startSlackApiDouble } from "./slack-api.js";

/**
 * The sandbox's Slack workspace: the local Web API (shared with the tests) plus what a page needs
 * to show it as Slack would: people, channels, the ephemerals and modals each person sees, the
 * files posted in threads. Every change bumps a version the page listens to.
 */

export interface Person {
  id: string;
  name: string;
  realName: string;
  tz: string;
}

export interface Channel {
  id: string;
  name: string;
}

export interface Ephemeral {
  channel: string;
  user: string;
  ts: string;
  thread_ts?: string;
  text: string;
  blocks?: unknown[];
}

export interface SharedFile {
  id: string;
  name: string;
  title: string;
  channel: string;
  thread_ts?: string;
  ts: string;
  comment?: string;
  content: string;
}

export type View = { id: string } & Record<string, unknown>;

export const PEOPLE: Person[] = [
  { id: "UALICE", name: "alice", realName: "Alice Martin", tz: "Europe/Berlin" },
  { id: "UBOB", name: "bob", realName: "Bob Okafor", tz: "America/New_York" },
  { id: "UCAROL", name: "carol", realName: "Carol Tanaka", tz: "Asia/Tokyo" },
];

export const CHANNELS: Channel[] = [
  { id: "CINVOICINGDEV", name: "invoicing-dev" },
  { id: "CBUSINESS", name: "business-updates" },
  { id: "COPS", name: "ops" },
];

/** A time zone's offset from UTC in seconds at a moment (Slack's users.info `tz_offset`). */
function tzOffsetSeconds(tz: string, at: Date): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: tz,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  }).formatToParts(at);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const local = Date.UTC(
    part("year"),
    part("month") - 1,
    part("day"),
    part("hour"),
    part("minute"),
    part("second"),
  );
  return Math.round((local - Math.floor(at.getTime() / 1000) * 1000) / 1000);
}

export async function startWorkspace(options: { now: () => Date; pageUrl: string }) {
  const ephemerals: Ephemeral[] = [];
  const files: SharedFile[] = [];
  const modals = new Map<string, View[]>(); // person id → stack, topmost last
  const triggers = new Map<string, string>(); // trigger id → person id
  const listeners = new Set<() => void>();
  let version = 0;
  let ephemeralSeq = 0;

  const changed = () => {
    version += 1;
    for (const listener of listeners) listener();
  };
  const nowMs = () => options.now().getTime();
  const ephemeralTs = () => {
    ephemeralSeq += 1;
    return `${Math.floor(nowMs() / 1000)}.9${String(ephemeralSeq).padStart(5, "0")}`;
  };
  const stackOf = (user: string) => {
    const stack = modals.get(user) ?? [];
    modals.set(user, stack);
    return stack;
  };
  const str = (value: unknown) => (typeof value === "string" ? value : "");

  function addEphemeral(e: Omit<Ephemeral, "ts"> & { ts?: string }): void {
    ephemerals.push({ ...e, ts: e.ts ?? ephemeralTs() });
    changed();
  }

  function observe(call: RecordedCall, answer: Answer): void {
    const { args } = call;
    if (!answer.ok) {
      changed();
      return;
    }
    if (call.method === "chat.postEphemeral") {
      addEphemeral({
        channel: str(args.channel),
        user: str(args.user),
        ts: str(answer.message_ts),
        ...(args.thread_ts ? { thread_ts: str(args.thread_ts) } : {}),
        text: str(args.text),
        ...(Array.isArray(args.blocks) ? { blocks: args.blocks } : {}),
      });
      return;
    }
    const view = answer.view as View | undefined;
    if (call.method === "views.open" || call.method === "views.push") {
      const user = triggers.get(str(args.trigger_id));
      if (user && view) {
        if (call.method === "views.open") modals.set(user, []);
        stackOf(user).push(view);
      }
    } else if (call.method === "views.update" && view) {
      for (const stack of modals.values()) {
        const index = stack.findIndex((v) => v.id === view.id);
        if (index >= 0) stack[index] = view;
      }
    } else if (call.method === "files.completeUploadExternal") {
      for (const upload of slack.uploads.filter((u) => u.completed && u.channel)) {
        if (files.some((f) => f.id === upload.fileId)) continue;
        files.push({
          id: upload.fileId,
          name: upload.filename,
          title: upload.title ?? upload.filename,
          channel: upload.channel ?? "",
          ...(upload.threadTs ? { thread_ts: upload.threadTs } : {}),
          ts: ephemeralTs(),
          ...(upload.initialComment ? { comment: upload.initialComment } : {}),
          content: upload.content.toString("utf8"),
        });
      }
    }
    changed();
  }

  const slack: SlackApiDouble = await startSlackApiDouble({
    botUserId: "UPREFLIGHT",
    now: nowMs,
    channels: CHANNELS,
    workspaceUrl: options.pageUrl,
    onCall: observe,
  });
  for (const person of PEOPLE) {
    slack.setUser({
      id: person.id,
      name: person.name,
      tz: person.tz,
      tz_offset: tzOffsetSeconds(person.tz, options.now()),
    });
  }

  return {
    slack,
    people: PEOPLE,
    channels: CHANNELS,
    person: (id: string) => PEOPLE.find((p) => p.id === id),
    channel: (id: string) => CHANNELS.find((c) => c.id === id),
    /** A trigger id the bot may open a modal with, for this person. */
    trigger(user: string, id: string): string {
      triggers.set(id, user);
      return id;
    },
    addEphemeral,
    modal: (user: string): View | undefined => modals.get(user)?.at(-1),
    replaceModal(user: string, view: View): void {
      const stack = stackOf(user);
      stack[stack.length - 1] = view;
      changed();
    },
    pushModal(user: string, view: View): void {
      stackOf(user).push(view);
      changed();
    },
    closeModal(user: string, all = false): void {
      const stack = stackOf(user);
      if (all) stack.length = 0;
      else stack.pop();
      changed();
    },
    ephemeralsOf: (user: string) => ephemerals.filter((e) => e.user === user),
    ephemeral: (user: string, ts: string) => ephemerals.find((e) => e.user === user && e.ts === ts),
    files: () => files,
    version: () => version,
    changed,
    onChange(listener: () => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () => slack.close(),
  };
}

export type Workspace = Awaited<ReturnType<typeof startWorkspace>>;
