import { type App, MultipleListenerError } from "@slack/bolt";

/**
 * Bolt runs every listener's middleware chain for every request (`App.processEvent` copies each
 * listener's chain and runs its matchers), so with ~40 listeners a click ran ~40 chains to reach
 * one: ~15 % of the bot's allocations under load. The register functions get an App whose
 * `action`, `view`, `event`, `command` and `shortcut` file a listener under its id when called as
 * they all are (a string id and one listener); Bolt gets one listener per kind, which looks the
 * id up and runs what is filed under it, as Bolt would: every listener of that id, each with its
 * own copy of the arguments, a single failure thrown as it is and several as Bolt's
 * `MultipleListenerError`. Any other call (a pattern, an object, extra middleware) goes to Bolt
 * unchanged.
 */

const KINDS = ["action", "view", "event", "command", "shortcut"] as const;
type Kind = (typeof KINDS)[number];
type Listener = (args: Record<string, unknown>) => Promise<void> | void;
type Register = (constraint: unknown, ...listeners: unknown[]) => void;

/** Matches every id of its kind: the one listener Bolt gets. */
const ANY = /^[\s\S]*$/;

/** The id a request is filed under, as Bolt's string constraints match it. */
const ID_OF: Record<Kind, (args: Record<string, unknown>) => unknown> = {
  action: (args) => {
    const action = args.action as { action_id?: unknown } | undefined;
    return action?.action_id ?? (args.body as { callback_id?: unknown } | undefined)?.callback_id;
  },
  view: (args) => (args.view as { callback_id?: unknown } | undefined)?.callback_id,
  event: (args) => (args.event as { type?: unknown } | undefined)?.type,
  command: (args) => (args.command as { command?: unknown } | undefined)?.command,
  shortcut: (args) => (args.shortcut as { callback_id?: unknown } | undefined)?.callback_id,
};

export function routedApp(app: App): App {
  const routes = new Map<PropertyKey, Register>();
  for (const kind of KINDS) {
    const register: Register = (...args) => (app[kind] as unknown as Register).apply(app, args);
    const filed = new Map<string, Listener[]>();
    const dispatch = async (args: Record<string, unknown>): Promise<void> => {
      const id = ID_OF[kind](args);
      const listeners = typeof id === "string" ? filed.get(id) : undefined;
      if (!listeners) return;
      if (listeners.length === 1) return (listeners[0] as Listener)({ ...args });
      const settled = await Promise.allSettled(listeners.map((listener) => listener({ ...args })));
      const failures = settled.flatMap((result) => (result.status === "rejected" ? [result.reason] : []));
      if (failures.length === 1) throw failures[0];
      if (failures.length > 1) throw new MultipleListenerError(failures);
    };
    routes.set(kind, (constraint, ...listeners) => {
      const [listener] = listeners;
      if (typeof constraint !== "string" || listeners.length !== 1 || typeof listener !== "function")
        return register(constraint, ...listeners);
      if (filed.size === 0) register(ANY, dispatch);
      filed.set(constraint, [...(filed.get(constraint) ?? []), listener as Listener]);
    });
  }
  // Everything else is the app's own, called on the app itself (`error`, `use`, `client`…).
  return new Proxy(app, {
    get(target, property) {
      const route = routes.get(property);
      if (route) return route;
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
