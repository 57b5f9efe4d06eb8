import { randomBytes } from "node:crypto";
import { type Delivered, type Delivery, newTriggerId } from "./deliver.js";
import { blockIdOf } from "./public/blocks.js";
import type { View, Workspace } from "./workspace.js";

/**
 * What a person does in the sandbox page, turned into what Slack would send the bot, and the
 * bot's acknowledgement turned into what Slack would show (ephemeral text, modal errors, …).
 */

type Obj = Record<string, unknown>;
type Option = { text?: unknown; value?: unknown };

const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null;
const str = (v: unknown): string => (typeof v === "string" ? v : "");
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const REQUIRED = "Please complete this required field.";

/** The element with this action id in the block with this id (or position). */
export function findElement(blocks: unknown[], blockId: string, actionId: string): Obj | undefined {
  const index = blocks.findIndex((b, i) => isObj(b) && blockIdOf(b, i) === blockId);
  const block = blocks[index];
  if (!isObj(block)) return undefined;
  const candidates = [...list(block.elements), block.accessory, block.element];
  return candidates.find((el): el is Obj => isObj(el) && el.action_id === actionId);
}

const optionsOf = (element: Obj): Option[] =>
  [
    ...list(element.options),
    ...list(element.option_groups).flatMap((g) => (isObj(g) ? list(g.options) : [])),
  ] as Option[];
const optionWith = (element: Obj, value: string) => optionsOf(element).find((o) => o.value === value);

/** The value of one element as Slack reports it in `actions[]` or `view.state.values`. */
function elementValue(element: Obj, chosen: string | string[] | null): Obj {
  const type = str(element.type);
  const one = Array.isArray(chosen) ? (chosen[0] ?? null) : chosen;
  const many = Array.isArray(chosen) ? chosen : chosen ? [chosen] : [];
  switch (type) {
    case "plain_text_input":
      return { type, value: one };
    case "static_select":
    case "radio_buttons":
    case "overflow":
      return { type, selected_option: one ? (optionWith(element, one) ?? null) : null };
    case "users_select":
      return { type, selected_user: one };
    case "multi_users_select":
      return { type, selected_users: many };
    case "checkboxes":
    case "multi_static_select":
      return { type, selected_options: many.map((v) => optionWith(element, v)).filter(Boolean) };
    default:
      return { type, value: one };
  }
}

/**
 * What Slack does to typed text before an app sees it: `&`, `<` and `>` escaped, and (for the
 * command, whose manifest sets should_escape) `@name` and `#channel` turned into mentions.
 */
export function slackEncode(
  text: string,
  known: {
    people: readonly { id: string; name: string }[];
    channels: readonly { id: string; name: string }[];
  },
): string {
  const escaped = text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return escaped.replace(
    /(^|[\s=(])([@#])([a-z0-9][a-z0-9._-]*)/gi,
    (whole, before: string, sign: string, name: string) => {
      const person = sign === "@" ? known.people.find((p) => p.name === name.toLowerCase()) : undefined;
      if (person) return `${before}<@${person.id}|${person.name}>`;
      const channel = sign === "#" ? known.channels.find((c) => c.name === name.toLowerCase()) : undefined;
      return channel ? `${before}<#${channel.id}|${channel.name}>` : whole;
    },
  );
}

export interface PageAction {
  user: string;
  blockId: string;
  actionId: string;
  selected?: string | string[] | null;
  /** A message (ephemeral when only this person sees it) or a modal. */
  channel?: string;
  ts?: string;
  viewId?: string;
}

export type SubmitResult = { ok: true } | { ok: false; errors: Record<string, string>; message?: string };

export function createInteractions(deps: { workspace: Workspace; delivery: Delivery; responseBase: string }) {
  const { workspace, delivery } = deps;
  const responseTargets = new Map<string, { user: string; channel: string; thread_ts?: string }>();

  const personOf = (user: string) => {
    const person = workspace.person(user);
    if (!person) throw new Error(`unknown person ${user}`);
    return person;
  };
  const channelOf = (id: string) => {
    const channel = workspace.channel(id);
    if (!channel) throw new Error(`unknown channel ${id}`);
    return channel;
  };
  const responseUrl = (target: { user: string; channel: string; thread_ts?: string }) => {
    const token = randomBytes(12).toString("hex");
    responseTargets.set(token, target);
    return `${deps.responseBase}${token}`;
  };
  /** What Slack shows when the bot does not answer well in time. */
  const failed = (what: string, answer: Delivered) =>
    answer.status === 200
      ? undefined
      : `${what} failed with the error "dispatch_failed" (HTTP ${answer.status}).`;

  /** Shows an acknowledgement's or response_url's message as Slack would. */
  function showResponse(target: { user: string; channel: string; thread_ts?: string }, body: unknown) {
    if (!isObj(body) || (!str(body.text) && !Array.isArray(body.blocks))) return;
    const content = { text: str(body.text), ...(Array.isArray(body.blocks) ? { blocks: body.blocks } : {}) };
    if (body.response_type === "in_channel") {
      workspace.slack.postAsUser({ channel: target.channel, user: "UPREFLIGHT", text: content.text });
      workspace.changed();
      return;
    }
    workspace.addEphemeral({ ...target, ...content });
  }

  async function send(args: { user: string; channel: string; text: string; threadTs?: string }) {
    const person = personOf(args.user);
    const channel = channelOf(args.channel);
    const text = slackEncode(args.text.trim(), workspace);
    if (text.startsWith("/")) {
      const [command = "", ...rest] = text.split(/\s+/);
      const target = { user: person.id, channel: channel.id };
      if (command !== "/maintenance") {
        workspace.addEphemeral({
          ...target,
          text: `${command} is not a valid command here. Try /maintenance help.`,
        });
        return;
      }
      const answer = await delivery.command({
        person,
        channel,
        command,
        text: rest.join(" "),
        triggerId: workspace.trigger(person.id, newTriggerId()),
        responseUrl: responseUrl(target),
      });
      const error = failed(command, answer);
      if (error) workspace.addEphemeral({ ...target, text: error });
      else showResponse(target, answer.json);
      return;
    }
    const message = workspace.slack.postAsUser({
      channel: channel.id,
      user: person.id,
      text,
      ...(args.threadTs ? { thread_ts: args.threadTs } : {}),
    });
    workspace.changed();
    await delivery.message({
      channel: channel.id,
      user: person.id,
      text,
      ts: message.ts,
      ...(args.threadTs ? { threadTs: args.threadTs } : {}),
    });
  }

  async function act(action: PageAction): Promise<void> {
    const person = personOf(action.user);
    const triggerId = workspace.trigger(person.id, newTriggerId());
    if (action.viewId) {
      const view = workspace.modal(person.id);
      if (!view || view.id !== action.viewId) throw new Error("that modal is no longer open");
      const element = findElement(list(view.blocks), action.blockId, action.actionId);
      if (!element) throw new Error(`no element ${action.actionId} in that modal`);
      await delivery.blockActions({
        person,
        triggerId,
        container: { type: "view", view },
        action: { ...actionFields(element, action), block_id: action.blockId },
      });
      return;
    }
    const channel = channelOf(action.channel ?? "");
    const ts = action.ts ?? "";
    const ephemeral = workspace.ephemeral(person.id, ts);
    const message = ephemeral ?? workspace.slack.message(channel.id, ts);
    if (!message) throw new Error(`no message ${ts} in #${channel.name}`);
    const element = findElement(list(message.blocks), action.blockId, action.actionId);
    if (!element) throw new Error(`no element ${action.actionId} in that message`);
    const target = {
      user: person.id,
      channel: channel.id,
      ...(message.thread_ts ? { thread_ts: message.thread_ts } : {}),
    };
    const answer = await delivery.blockActions({
      person,
      triggerId,
      responseUrl: responseUrl(target),
      container: {
        type: "message",
        channel,
        ts,
        ephemeral: Boolean(ephemeral),
        message: {
          type: "message",
          user: message.user,
          text: message.text ?? "",
          ts,
          blocks: message.blocks ?? [],
        },
      },
      action: { ...actionFields(element, action), block_id: action.blockId },
    });
    const error = failed("That action", answer);
    if (error) workspace.addEphemeral({ ...target, text: error });
  }

  function actionFields(element: Obj, action: PageAction): Obj {
    const base = { type: element.type, action_id: action.actionId };
    if (element.type === "button")
      return {
        ...base,
        text: element.text,
        ...(element.value ? { value: element.value } : {}),
        ...(element.style ? { style: element.style } : {}),
      };
    return { ...base, ...elementValue(element, action.selected ?? null) };
  }

  async function submitView(args: {
    user: string;
    viewId: string;
    values: Record<string, Record<string, string | string[] | null>>;
  }): Promise<SubmitResult> {
    const person = personOf(args.user);
    const view = workspace.modal(person.id);
    if (!view || view.id !== args.viewId)
      return { ok: false, errors: {}, message: "That modal is no longer open." };
    const state: Record<string, Obj> = {};
    const errors: Record<string, string> = {};
    for (const [index, block] of list(view.blocks).entries()) {
      if (!isObj(block) || block.type !== "input" || !isObj(block.element)) continue;
      const blockId = blockIdOf(block, index);
      const actionId = str(block.element.action_id) || "input";
      const chosen = args.values[blockId]?.[actionId] ?? null;
      const empty = chosen === null || chosen === "" || (Array.isArray(chosen) && chosen.length === 0);
      if (empty && block.optional !== true) errors[blockId] = REQUIRED;
      state[blockId] = { [actionId]: elementValue(block.element, chosen === "" ? null : chosen) };
    }
    // Like Slack, a required input left empty never reaches the app.
    if (Object.keys(errors).length > 0) return { ok: false, errors };
    const submitted: View = { ...view, state: { values: state } };
    const answer = await delivery.viewSubmission({
      person,
      triggerId: workspace.trigger(person.id, newTriggerId()),
      view: submitted,
    });
    if (answer.status !== 200)
      return {
        ok: false,
        errors: {},
        message: `We had some trouble connecting (HTTP ${answer.status}). Try again?`,
      };
    const body = isObj(answer.json) ? answer.json : {};
    switch (body.response_action) {
      case "errors":
        return { ok: false, errors: isObj(body.errors) ? (body.errors as Record<string, string>) : {} };
      case "update":
        workspace.replaceModal(person.id, { ...(body.view as Obj), id: view.id } as View);
        return { ok: true };
      case "push":
        workspace.pushModal(person.id, {
          ...(body.view as Obj),
          id: `V${randomBytes(4).toString("hex")}`,
        } as View);
        return { ok: true };
      case "clear":
        workspace.closeModal(person.id, true);
        return { ok: true };
      default:
        workspace.closeModal(person.id);
        return { ok: true };
    }
  }

  async function closeView(args: { user: string; viewId: string }): Promise<void> {
    const person = personOf(args.user);
    const view = workspace.modal(person.id);
    if (!view || view.id !== args.viewId) return;
    workspace.closeModal(person.id);
    if (view.notify_on_close === true) await delivery.viewClosed({ person, view });
  }

  /** A POST to a response_url the bot was given. */
  function respond(token: string, body: unknown): boolean {
    const target = responseTargets.get(token);
    if (!target) return false;
    showResponse(target, body);
    return true;
  }

  return { send, act, submitView, closeView, respond };
}

export type Interactions = ReturnType<typeof createInteractions>;
