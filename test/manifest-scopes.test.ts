import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";

/**
 * A Web API method whose scope the app lacks answers `missing_scope` in a real workspace while
 * every local double says ok. So: every method the code calls, and every event it listens to,
 * must be granted by manifest.yml. The tables say what Slack requires (api.slack.com/methods).
 */

/** Method → the bot scopes that grant it (any one of them), or [] when it needs none. */
const SCOPES_FOR_METHOD: Record<string, string[]> = {
  "chat.postMessage": ["chat:write"],
  "chat.update": ["chat:write"],
  "chat.postEphemeral": ["chat:write"],
  "chat.delete": ["chat:write"],
  "files.getUploadURLExternal": ["files:write"],
  "files.completeUploadExternal": ["files:write"],
  "users.info": ["users:read"],
  "usergroups.users.list": ["usergroups:read"],
  "usergroups.list": ["usergroups:read"],
  "conversations.history": ["channels:history"],
  "conversations.replies": ["channels:history"],
  "conversations.info": ["channels:read"],
  "views.open": [],
  "views.push": [],
  "views.update": [],
  "views.publish": [],
  "chat.getPermalink": [],
  "auth.test": [],
  // Called with the app-level token (connections:write), which is not a bot scope.
  "apps.connections.open": [],
};

/** Scopes Slack requires in addition, for private channels the bot was invited to. */
const PRIVATE_CHANNEL_SCOPES: Record<string, string> = {
  "conversations.history": "groups:history",
  "conversations.replies": "groups:history",
};

/** `app.event(name)` → the subscriptions (and their scopes) it needs. */
const SUBSCRIPTIONS_FOR_EVENT: Record<string, { event: string; scope: string }[]> = {
  message: [
    { event: "message.channels", scope: "channels:history" },
    { event: "message.groups", scope: "groups:history" },
  ],
  app_home_opened: [{ event: "app_home_opened", scope: "" }],
  app_mention: [{ event: "app_mention", scope: "app_mentions:read" }],
};

/** Methods a helper calls on the code's behalf. */
const EXPANDS: Record<string, string[]> = {
  "files.uploadV2": ["files.getUploadURLExternal", "files.completeUploadExternal"],
};

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return sourceFiles(path);
      return Promise.resolve(entry.name.endsWith(".ts") ? [path] : []);
    }),
  );
  return nested.flat();
}

/** `method → files calling it`, and the events listened to, found in the source. */
async function whatTheCodeUses() {
  const methods = new Map<string, Set<string>>();
  const events = new Map<string, Set<string>>();
  const add = (map: Map<string, Set<string>>, key: string, file: string) =>
    map.set(key, (map.get(key) ?? new Set()).add(file));
  for (const file of await sourceFiles("src")) {
    const text = await readFile(file, "utf8");
    for (const match of text.matchAll(/\bclient\.([a-z]+(?:\.[a-zA-Z0-9]+)+)\s*\(/g)) {
      const method = match[1] as string;
      for (const called of EXPANDS[method] ?? [method]) add(methods, called, file);
    }
    for (const match of text.matchAll(/\.apiCall\(\s*["'`]([\w.]+)["'`]/g))
      add(methods, match[1] as string, file);
    for (const match of text.matchAll(/\bapp\.event\(\s*["'`]([\w.]+)["'`]/g))
      add(events, match[1] as string, file);
    if (/\bapp\.message\(/.test(text)) add(events, "message", file);
  }
  return { methods, events };
}

interface Manifest {
  features: {
    app_home?: { home_tab_enabled?: boolean };
    shortcuts?: { callback_id: string; type: string }[];
    slash_commands?: { url?: string }[];
  };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    event_subscriptions?: { bot_events?: string[]; request_url?: string };
    interactivity?: { request_url?: string };
    socket_mode_enabled?: boolean;
  };
}

/** The HTTP manifest and its Socket Mode variant: both must grant what the code uses. */
describe.each(["manifest.yml", "manifest.socket.yml"])("%s", (file) => {
  let manifest: Manifest;
  let granted: Set<string>;
  let subscribed: Set<string>;
  beforeAll(async () => {
    manifest = parse(await readFile(file, "utf8")) as Manifest;
    granted = new Set(manifest.oauth_config.scopes.bot);
    subscribed = new Set(manifest.settings.event_subscriptions?.bot_events ?? []);
  });

  it("enables the Home tab the code publishes, and declares every shortcut the code registers", async () => {
    const { events } = await whatTheCodeUses();
    if (events.has("app_home_opened")) expect(manifest.features.app_home?.home_tab_enabled).toBe(true);
    const code = (await Promise.all((await sourceFiles("src")).map((f) => readFile(f, "utf8")))).join("\n");
    const registered = [...code.matchAll(/\bapp\.shortcut\(/g)].length;
    const declared = manifest.features.shortcuts ?? [];
    expect(declared).toHaveLength(registered);
    for (const shortcut of declared) expect(code).toContain(`"${shortcut.callback_id}"`);
  });

  it("is wired for its mode: URLs over HTTP, none with Socket Mode", () => {
    const socket = file.includes("socket");
    expect(manifest.settings.socket_mode_enabled ?? false).toBe(socket);
    const urls = [
      manifest.settings.event_subscriptions?.request_url,
      manifest.settings.interactivity?.request_url,
      ...(manifest.features.slash_commands ?? []).map((c) => c.url),
    ];
    for (const url of urls) {
      if (socket) expect(url).toBeUndefined();
      else expect(url).toMatch(/^https:\/\//);
    }
  });

  it("grants the scope of every Web API method the code calls", async () => {
    const { methods } = await whatTheCodeUses();
    // The scan itself must work: these are called today.
    expect([...methods.keys()]).toEqual(
      expect.arrayContaining(["chat.postMessage", "chat.update", "files.completeUploadExternal"]),
    );
    const missing: string[] = [];
    for (const [method, files] of methods) {
      const where = [...files].join(", ");
      const scopes = SCOPES_FOR_METHOD[method];
      if (scopes === undefined) {
        missing.push(
          `${method} (called in ${where}) is not in SCOPES_FOR_METHOD: add it with the scope Slack's docs name`,
        );
        continue;
      }
      if (scopes.length > 0 && !scopes.some((scope) => granted.has(scope)))
        missing.push(`${method} (called in ${where}) needs ${scopes.join(" or ")}`);
      const privateScope = PRIVATE_CHANNEL_SCOPES[method];
      if (privateScope && !granted.has(privateScope))
        missing.push(`${method} (called in ${where}) needs ${privateScope} for private channels`);
    }
    expect(missing).toEqual([]);
  });

  it("subscribes to every event the code listens to, with its scope", async () => {
    const { events } = await whatTheCodeUses();
    expect([...events.keys()]).toContain("message");
    const missing: string[] = [];
    for (const [event, files] of events) {
      const needed = SUBSCRIPTIONS_FOR_EVENT[event];
      if (needed === undefined) {
        missing.push(
          `event ${event} (in ${[...files].join(", ")}) is not in SUBSCRIPTIONS_FOR_EVENT: add it`,
        );
        continue;
      }
      for (const { event: subscription, scope } of needed) {
        if (!subscribed.has(subscription)) missing.push(`${event} needs the bot event ${subscription}`);
        if (scope && !granted.has(scope)) missing.push(`${subscription} needs the scope ${scope}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it("grants files:write, which uploading the post-mortem Markdown needs", () => {
    expect(granted.has("files:write")).toBe(true);
  });

  it("grants reading history, which finding a post whose answer was lost needs", () => {
    expect(granted).toContain("channels:history");
    expect(granted).toContain("groups:history");
  });
});
