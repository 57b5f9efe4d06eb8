import { createHmac, randomBytes } from "node:crypto";

/**
 * Delivers what people do in the sandbox page to the bot exactly as Slack does: signed
 * (`v0=` HMAC-SHA256 over `v0:{timestamp}:{raw body}`), form-encoded commands and interactions,
 * JSON events in an `event_callback` envelope.
 */

export const TEAM_ID = "T0SANDBOX";
const TEAM_DOMAIN = "sandbox";
const API_APP_ID = "A0SANDBOX";
const VERIFICATION_TOKEN = "sandbox-verification-token";

export interface Delivered {
  status: number;
  /** The bot's answer: an acknowledgement's JSON (ephemeral text, response_action) or nothing. */
  json: unknown;
}

export interface Person {
  id: string;
  name: string;
}

export function signRequest(secret: string, rawBody: string, timestampSec: number) {
  const timestamp = String(timestampSec);
  const hex = createHmac("sha256", secret).update(`v0:${timestamp}:${rawBody}`).digest("hex");
  return { timestamp, signature: `v0=${hex}` };
}

export const newTriggerId = () =>
  `${Date.now()}.${randomBytes(4).readUInt32BE()}.${randomBytes(16).toString("hex")}`;

const userOf = (person: Person) => ({
  id: person.id,
  username: person.name,
  name: person.name,
  team_id: TEAM_ID,
});

export function createDelivery(options: { botUrl: string; signingSecret: string }) {
  async function post(rawBody: string, contentType: string): Promise<Delivered> {
    // Bolt refuses requests older than five minutes by the real clock, whatever the sandbox's says.
    const { timestamp, signature } = signRequest(
      options.signingSecret,
      rawBody,
      Math.floor(Date.now() / 1000),
    );
    const response = await fetch(options.botUrl, {
      method: "POST",
      headers: {
        "content-type": contentType,
        "x-slack-request-timestamp": timestamp,
        "x-slack-signature": signature,
      },
      body: rawBody,
    });
    const body = await response.text();
    let json: unknown;
    try {
      json = body ? JSON.parse(body) : undefined;
    } catch {
      json = body;
    }
    return { status: response.status, json };
  }

  const interaction = (payload: object) =>
    post(
      new URLSearchParams({ payload: JSON.stringify(payload) }).toString(),
      "application/x-www-form-urlencoded",
    );

  return {
    command(args: {
      person: Person;
      channel: { id: string; name: string };
      command: string;
      text: string;
      triggerId: string;
      responseUrl: string;
    }): Promise<Delivered> {
      const form = new URLSearchParams({
        token: VERIFICATION_TOKEN,
        team_id: TEAM_ID,
        team_domain: TEAM_DOMAIN,
        channel_id: args.channel.id,
        channel_name: args.channel.name,
        user_id: args.person.id,
        user_name: args.person.name,
        command: args.command,
        text: args.text,
        api_app_id: API_APP_ID,
        is_enterprise_install: "false",
        response_url: args.responseUrl,
        trigger_id: args.triggerId,
      });
      return post(form.toString(), "application/x-www-form-urlencoded");
    },

    blockActions(args: {
      person: Person;
      triggerId: string;
      responseUrl?: string;
      /** Where the clicked element is: a message (ephemeral or not) or a modal. */
      container:
        | {
            type: "message";
            channel: { id: string; name: string };
            message: object;
            ts: string;
            ephemeral: boolean;
          }
        | { type: "view"; view: { id: string } & Record<string, unknown> };
      action: Record<string, unknown>;
    }): Promise<Delivered> {
      const { container } = args;
      const where =
        container.type === "message"
          ? {
              container: {
                type: "message",
                message_ts: container.ts,
                channel_id: container.channel.id,
                is_ephemeral: container.ephemeral,
              },
              channel: { id: container.channel.id, name: container.channel.name },
              ...(container.ephemeral ? {} : { message: container.message }),
              state: { values: {} },
              ...(args.responseUrl ? { response_url: args.responseUrl } : {}),
            }
          : {
              container: { type: "view", view_id: container.view.id },
              view: container.view,
              state: container.view.state ?? { values: {} },
            };
      return interaction({
        type: "block_actions",
        user: userOf(args.person),
        api_app_id: API_APP_ID,
        token: VERIFICATION_TOKEN,
        trigger_id: args.triggerId,
        team: { id: TEAM_ID, domain: TEAM_DOMAIN },
        enterprise: null,
        is_enterprise_install: false,
        ...where,
        actions: [{ ...args.action, action_ts: (Date.now() / 1000).toFixed(6) }],
      });
    },

    viewSubmission(args: { person: Person; triggerId: string; view: Record<string, unknown> }) {
      return interaction({
        type: "view_submission",
        team: { id: TEAM_ID, domain: TEAM_DOMAIN },
        user: userOf(args.person),
        api_app_id: API_APP_ID,
        token: VERIFICATION_TOKEN,
        trigger_id: args.triggerId,
        view: args.view,
        response_urls: [],
        is_enterprise_install: false,
        enterprise: null,
      });
    },

    viewClosed(args: { person: Person; view: Record<string, unknown> }) {
      return interaction({
        type: "view_closed",
        team: { id: TEAM_ID, domain: TEAM_DOMAIN },
        user: userOf(args.person),
        api_app_id: API_APP_ID,
        token: VERIFICATION_TOKEN,
        view: args.view,
        is_cleared: false,
        is_enterprise_install: false,
        enterprise: null,
      });
    },

    message(args: { channel: string; user: string; text: string; ts: string; threadTs?: string }) {
      const event = {
        type: "message",
        channel: args.channel,
        user: args.user,
        text: args.text,
        ts: args.ts,
        ...(args.threadTs ? { thread_ts: args.threadTs } : {}),
        event_ts: args.ts,
        channel_type: "channel",
      };
      const envelope = {
        token: VERIFICATION_TOKEN,
        team_id: TEAM_ID,
        api_app_id: API_APP_ID,
        event,
        type: "event_callback",
        event_id: `Ev${randomBytes(5).toString("hex").toUpperCase()}`,
        event_time: Math.floor(Date.now() / 1000),
        authorizations: [
          {
            enterprise_id: null,
            team_id: TEAM_ID,
            user_id: "UBOT",
            is_bot: true,
            is_enterprise_install: false,
          },
        ],
        is_ext_shared_channel: false,
      };
      return post(JSON.stringify(envelope), "application/json");
    },
  };
}

export type Delivery = ReturnType<typeof createDelivery>;
