import type { App } from "@slack/bolt";
import { ErrorCode } from "@slack/bolt";
import { afterAll, describe, expect, it } from "vitest";
import { routedApp } from "../../src/slack/listener-routes.js";
import { type Harness, startHarness } from "../support/bot-harness.js";

/**
 * Bolt runs every listener's chain for every request; the bot files its listeners by id and
 * gives Bolt one per kind. What reaches a listener must stay what Bolt would have given it.
 */

type Registered = { kind: string; constraint: unknown; listeners: unknown[] };

function fakeApp() {
  const registered: Registered[] = [];
  const app = {} as Record<string, unknown>;
  for (const kind of ["action", "view", "event", "command", "shortcut"])
    app[kind] = (constraint: unknown, ...listeners: unknown[]) =>
      registered.push({ kind, constraint, listeners });
  return { app: app as unknown as App, registered };
}

/** Runs the one listener Bolt got for `kind` with these arguments. */
function deliver(registered: Registered[], kind: string, args: Record<string, unknown>) {
  const entry = registered.find((r) => r.kind === kind && r.constraint instanceof RegExp);
  if (!entry) throw new Error(`no ${kind} listener was given to Bolt`);
  return (entry.listeners[0] as (args: Record<string, unknown>) => Promise<void>)(args);
}

let harness: Harness | undefined;
afterAll(async () => {
  await harness?.stopBot();
});

describe("listeners filed by id", () => {
  it("gives Bolt one listener per kind and runs only the listener of the request's id", async () => {
    const { app, registered } = fakeApp();
    const routed = routedApp(app);
    const ran: string[] = [];
    for (const id of ["step_start", "step_complete", "step_verify"])
      routed.action(id, async () => {
        ran.push(id);
      });
    routed.view("skip_step_modal", async () => {
      ran.push("view");
    });
    expect(registered.map((r) => r.kind)).toEqual(["action", "view"]);

    await deliver(registered, "action", { action: { action_id: "step_complete" } });
    await deliver(registered, "action", { action: { action_id: "no_such_button" } });
    await deliver(registered, "view", { view: { callback_id: "skip_step_modal" } });
    expect(ran).toEqual(["step_complete", "view"]);
  });

  it("runs every listener of an id, each with its own arguments, and reports failures as Bolt does", async () => {
    const { app, registered } = fakeApp();
    const routed = routedApp(app);
    const seen: unknown[] = [];
    routed.event("message", async (args) => {
      (args as unknown as Record<string, unknown>).mine = 1;
      seen.push(args);
    });
    routed.event("message", async (args) => {
      seen.push(args);
    });
    const args = { event: { type: "message", text: "hi" } };
    await deliver(registered, "event", args);
    expect(seen).toHaveLength(2);
    expect(seen[0]).not.toBe(seen[1]);
    expect((seen[1] as Record<string, unknown>).mine).toBeUndefined();

    const { app: other, registered: otherRegistered } = fakeApp();
    const twice = routedApp(other);
    twice.command("/maintenance", async () => {
      throw new Error("first");
    });
    await expect(
      deliver(otherRegistered, "command", { command: { command: "/maintenance" } }),
    ).rejects.toThrow("first");
    twice.command("/maintenance", async () => {
      throw new Error("second");
    });
    await expect(
      deliver(otherRegistered, "command", { command: { command: "/maintenance" } }),
    ).rejects.toMatchObject({ code: ErrorCode.MultipleListenerError });
  });

  it("leaves any other registration (a pattern, extra middleware) to Bolt as it was made", () => {
    const { app, registered } = fakeApp();
    const routed = routedApp(app);
    const pattern = /^step_/;
    const listener = async () => {};
    const middleware = async () => {};
    routed.action(pattern, listener);
    routed.action("step_start", middleware, listener);
    expect(registered).toEqual([
      { kind: "action", constraint: pattern, listeners: [listener] },
      { kind: "action", constraint: "step_start", listeners: [middleware, listener] },
    ]);
  });

  it("passes everything else to the app itself (error, use, client)", () => {
    const app = {
      client: { token: "xoxb" },
      error(this: Record<string, unknown>, handler: unknown) {
        this.errorHandler = handler;
      },
    };
    const routed = routedApp(app as unknown as App);
    const handler = async () => {};
    routed.error(handler);
    expect((app as Record<string, unknown>).errorHandler).toBe(handler);
    expect(routed.client).toBe(app.client);
  });

  it("the bot's app gives Bolt a handful of listeners, not one per button, form and event", async () => {
    harness = await startHarness();
    const listeners = (harness.bot.app as unknown as { listeners: unknown[] }).listeners;
    expect(listeners.length).toBeLessThanOrEqual(5);
    expect(listeners.length).toBeGreaterThan(0);
  });
});
