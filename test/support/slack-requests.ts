import { randomBytes } from "node:crypto";
import { newTriggerId, signRequest } from "../../src/sandbox/deliver.js";

const TEAM_ID = "T0001";
const TEAM_DOMAIN = "example";
const API_APP_ID = "A0001";
const VERIFICATION_TOKEN = "verification-token";

export interface SlackResponse {
  status: number;
  body: string;
  json: unknown;
}

export interface SendOptions {
  /** Unix seconds to sign with; an old one tests Bolt's staleness check. */
  timestampSec?: number;
  /** Sent instead of the correct signature, to test forged requests. */
  signature?: string;
  /** Sets X-Slack-Retry-Num (and X-Slack-Retry-Reason: http_timeout) like Slack's re-deliveries. */
  retryNum?: number;
}

/** Signs as Slack does; the sandbox delivers with the same function. */
export function signSlackRequest(
  secret: string,
  rawBody: string,
  timestampSec: number = Math.floor(Date.now() / 1000),
): { timestamp: string; signature: string } {
  return signRequest(secret, rawBody, timestampSec);
}

async function post(
  url: string,
  secret: string,
  rawBody: string,
  contentType: string,
  opts: SendOptions = {},
): Promise<SlackResponse> {
  const { timestamp, signature } = signSlackRequest(secret, rawBody, opts.timestampSec);
  const headers: Record<string, string> = {
    "content-type": contentType,
    "x-slack-request-timestamp": timestamp,
    "x-slack-signature": opts.signature ?? signature,
  };
  if (opts.retryNum !== undefined) {
    headers["x-slack-retry-num"] = String(opts.retryNum);
    headers["x-slack-retry-reason"] = "http_timeout";
  }
  const response = await fetch(url, { method: "POST", headers, body: rawBody });
  const body = await response.text();
  let json: unknown;
  try {
    json = body ? JSON.parse(body) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, body, json };
}

const randomId = (prefix: string) => `${prefix}${randomBytes(5).toString("hex").toUpperCase()}`;
const triggerId = newTriggerId;
const actionTs = () => (Date.now() / 1000).toFixed(6);

export function sendSlashCommand(
  url: string,
  secret: string,
  fields: {
    command: string;
    text: string;
    user_id: string;
    channel_id: string;
    user_name?: string;
    team_id?: string;
    trigger_id?: string;
    response_url?: string;
    channel_name?: string;
  },
  opts?: SendOptions,
): Promise<SlackResponse> {
  const teamId = fields.team_id ?? TEAM_ID;
  const form = new URLSearchParams({
    token: VERIFICATION_TOKEN,
    team_id: teamId,
    team_domain: TEAM_DOMAIN,
    channel_id: fields.channel_id,
    channel_name: fields.channel_name ?? "general",
    user_id: fields.user_id,
    user_name: fields.user_name ?? fields.user_id.toLowerCase(),
    command: fields.command,
    text: fields.text,
    api_app_id: API_APP_ID,
    is_enterprise_install: "false",
    response_url: fields.response_url ?? `https://hooks.slack.com/commands/${teamId}/1/${randomId("")}`,
    trigger_id: fields.trigger_id ?? triggerId(),
  });
  return post(url, secret, form.toString(), "application/x-www-form-urlencoded", opts);
}

export function sendInteraction(
  url: string,
  secret: string,
  payload: object,
  opts?: SendOptions,
): Promise<SlackResponse> {
  const form = new URLSearchParams({ payload: JSON.stringify(payload) });
  return post(url, secret, form.toString(), "application/x-www-form-urlencoded", opts);
}

export function sendEvent(
  url: string,
  secret: string,
  event: object,
  opts: SendOptions & { eventId?: string } = {},
): Promise<SlackResponse> {
  const envelope = {
    token: VERIFICATION_TOKEN,
    team_id: TEAM_ID,
    api_app_id: API_APP_ID,
    event,
    type: "event_callback",
    event_id: opts.eventId ?? randomId("Ev"),
    event_time: Math.floor(Date.now() / 1000),
    authorizations: [
      { enterprise_id: null, team_id: TEAM_ID, user_id: "UBOT", is_bot: true, is_enterprise_install: false },
    ],
    is_ext_shared_channel: false,
  };
  return post(url, secret, JSON.stringify(envelope), "application/json", opts);
}

const userOf = (userId: string) => ({
  id: userId,
  username: userId.toLowerCase(),
  name: userId.toLowerCase(),
  team_id: TEAM_ID,
});

export function blockActionPayload(args: {
  userId: string;
  channelId: string;
  messageTs: string;
  /** The run message's ts, for a button on a message in its thread (the summary, the step list). */
  threadTs?: string;
  actionId: string;
  value: string;
  blockId?: string;
  triggerId?: string;
  responseUrl?: string;
}): object {
  return {
    type: "block_actions",
    user: userOf(args.userId),
    api_app_id: API_APP_ID,
    token: VERIFICATION_TOKEN,
    container: {
      type: "message",
      message_ts: args.messageTs,
      channel_id: args.channelId,
      is_ephemeral: false,
      ...(args.threadTs ? { thread_ts: args.threadTs } : {}),
    },
    trigger_id: args.triggerId ?? triggerId(),
    team: { id: TEAM_ID, domain: TEAM_DOMAIN },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: args.channelId, name: "general" },
    message: {
      type: "message",
      user: "UBOT",
      bot_id: "BBOT",
      text: "",
      ts: args.messageTs,
      ...(args.threadTs ? { thread_ts: args.threadTs } : {}),
      blocks: [],
    },
    state: { values: {} },
    response_url:
      args.responseUrl ?? `https://hooks.slack.com/actions/${TEAM_ID}/1/${randomBytes(12).toString("hex")}`,
    actions: [
      {
        type: "button",
        action_id: args.actionId,
        block_id: args.blockId ?? randomId("b"),
        text: { type: "plain_text", text: "Button", emoji: true },
        value: args.value,
        action_ts: actionTs(),
      },
    ],
  };
}

export function viewSubmissionPayload(args: {
  userId: string;
  callbackId: string;
  privateMetadata: string;
  values: Record<string, Record<string, unknown>>;
  viewId?: string;
}): object {
  const viewId = args.viewId ?? randomId("V");
  return {
    type: "view_submission",
    team: { id: TEAM_ID, domain: TEAM_DOMAIN },
    user: userOf(args.userId),
    api_app_id: API_APP_ID,
    token: VERIFICATION_TOKEN,
    trigger_id: triggerId(),
    view: {
      id: viewId,
      team_id: TEAM_ID,
      type: "modal",
      blocks: [],
      private_metadata: args.privateMetadata,
      callback_id: args.callbackId,
      state: { values: args.values },
      hash: `${Math.floor(Date.now() / 1000)}.${randomBytes(4).toString("hex")}`,
      title: { type: "plain_text", text: "Preflight", emoji: true },
      clear_on_close: false,
      notify_on_close: false,
      close: null,
      submit: { type: "plain_text", text: "Submit", emoji: true },
      previous_view_id: null,
      root_view_id: viewId,
      app_id: API_APP_ID,
      external_id: "",
      app_installed_team_id: TEAM_ID,
      bot_id: "BBOT",
    },
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
}

/** `app_home_opened`: the person opened the app's Home tab (Slack sends it on every visit). */
export function appHomeOpenedEvent(user: string): object {
  return {
    type: "app_home_opened",
    user,
    channel: `D${user.slice(1)}`,
    tab: "home",
    event_ts: actionTs(),
  };
}

/** A reply in a thread with files (`subtype: file_share`), as Slack sends it. */
export function fileShareReplyEvent(args: {
  channel: string;
  user: string;
  threadTs: string;
  text?: string;
  files: { name: string; id?: string }[];
  ts?: string;
}): object {
  const ts = args.ts ?? actionTs();
  return {
    type: "message",
    subtype: "file_share",
    channel: args.channel,
    user: args.user,
    text: args.text ?? "",
    ts,
    thread_ts: args.threadTs,
    event_ts: ts,
    channel_type: "channel",
    upload: false,
    files: args.files.map((file) => {
      const id = file.id ?? randomId("F");
      return {
        id,
        name: file.name,
        title: file.name,
        mimetype: "image/png",
        permalink: `https://example.slack.com/files/${args.user}/${id}/${encodeURIComponent(file.name)}`,
      };
    }),
  };
}

/** An "also send to channel" reply (`subtype: thread_broadcast`). */
export function threadBroadcastEvent(args: {
  channel: string;
  user: string;
  threadTs: string;
  text: string;
  ts?: string;
}): object {
  const ts = args.ts ?? actionTs();
  return {
    type: "message",
    subtype: "thread_broadcast",
    channel: args.channel,
    user: args.user,
    text: args.text,
    ts,
    thread_ts: args.threadTs,
    root: { ts: args.threadTs, thread_ts: args.threadTs },
    event_ts: ts,
    channel_type: "channel",
  };
}

/** A message shortcut (`message_action`) used on a message, as Slack posts it. */
export function messageShortcutPayload(args: {
  callbackId: string;
  userId: string;
  channelId: string;
  message: { ts: string; user?: string; text?: string; thread_ts?: string };
}): object {
  return {
    type: "message_action",
    token: VERIFICATION_TOKEN,
    action_ts: actionTs(),
    team: { id: TEAM_ID, domain: TEAM_DOMAIN },
    user: userOf(args.userId),
    channel: { id: args.channelId, name: "general" },
    is_enterprise_install: false,
    enterprise: null,
    callback_id: args.callbackId,
    trigger_id: triggerId(),
    response_url: `https://hooks.slack.com/app/${TEAM_ID}/1/${randomBytes(12).toString("hex")}`,
    message_ts: args.message.ts,
    message: { type: "message", text: "", ...args.message },
  };
}

/** A click on a button of a person's Home tab (no channel: the container is the view). */
export function homeActionPayload(args: { userId: string; actionId: string; value: string }): object {
  const viewId = randomId("V");
  return {
    type: "block_actions",
    user: userOf(args.userId),
    api_app_id: API_APP_ID,
    token: VERIFICATION_TOKEN,
    container: { type: "view", view_id: viewId },
    trigger_id: triggerId(),
    team: { id: TEAM_ID, domain: TEAM_DOMAIN },
    enterprise: null,
    is_enterprise_install: false,
    view: { id: viewId, type: "home", team_id: TEAM_ID, blocks: [], state: { values: {} } },
    actions: [
      {
        type: "button",
        action_id: args.actionId,
        block_id: randomId("b"),
        text: { type: "plain_text", text: "Button", emoji: true },
        value: args.value,
        action_ts: actionTs(),
      },
    ],
  };
}

/** A choice in a message's overflow menu: Slack sends the option chosen, not a `value`. */
export function overflowChoicePayload(args: {
  userId: string;
  channelId: string;
  messageTs: string;
  actionId: string;
  option: { text: { text: string }; value: string };
}): object {
  const click = blockActionPayload({ ...args, value: "" }) as { actions: object[] };
  return {
    ...click,
    actions: [
      {
        type: "overflow",
        action_id: args.actionId,
        block_id: randomId("b"),
        selected_option: { text: { type: "plain_text", ...args.option.text }, value: args.option.value },
        action_ts: actionTs(),
      },
    ],
  };
}
