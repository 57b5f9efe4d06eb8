import { ErrorCode, LogLevel, WebClient } from "@slack/web-api";
import type { Config } from "./config.js";
import { leanFetch } from "./observability/lean-fetch.js";

/**
 * Before Preflight says it is running: Slack must accept the bot token (auth.test) and, in Socket
 * Mode, the app-level token (apps.connections.open). A refusal is one line naming the variable,
 * what Slack answered and what to do, instead of a stack trace after "running".
 */

type Token = "SLACK_BOT_TOKEN" | "SLACK_APP_TOKEN";

const FIXES: Record<Token, Record<string, string>> = {
  SLACK_BOT_TOKEN: {
    default:
      "copy the Bot User OAuth Token (xoxb-…) from the app's OAuth & Permissions page into SLACK_BOT_TOKEN",
    token_revoked:
      "reinstall the app to the workspace and set the new Bot User OAuth Token as SLACK_BOT_TOKEN",
    account_inactive:
      "reinstall the app to the workspace and set the new Bot User OAuth Token as SLACK_BOT_TOKEN",
  },
  SLACK_APP_TOKEN: {
    default:
      "create an app-level token with the connections:write scope (Basic Information → App-Level Tokens) and set it as SLACK_APP_TOKEN",
    missing_scope: "give the app-level token the connections:write scope, or create one that has it",
    not_allowed_token_type: "SLACK_APP_TOKEN must be an app-level token (xapp-…), not a bot or user token",
  },
};

/** Both tokens checked against Slack; undefined when Slack accepts them, else the line to print. */
export async function checkSlackCredentials(config: Config): Promise<string | undefined> {
  const options = {
    ...(config.SLACK_API_URL ? { slackApiUrl: config.SLACK_API_URL } : {}),
    // A refusal is final; a network error is tried twice more, then reported.
    retryConfig: { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 2_000 },
    timeout: 10_000,
    logLevel: LogLevel.ERROR,
    // As every other Slack call of the bot: the platform's fetch would load undici (~19 MiB of
    // RSS) for these two calls alone.
    fetch: leanFetch(),
  };
  const bot = await attempt("SLACK_BOT_TOKEN", "auth.test", config, () =>
    new WebClient(config.SLACK_BOT_TOKEN, options).auth.test(),
  );
  if (bot || !config.SLACK_APP_TOKEN) return bot;
  const appToken = config.SLACK_APP_TOKEN;
  return attempt("SLACK_APP_TOKEN", "apps.connections.open", config, () =>
    new WebClient(appToken, options).apps.connections.open(),
  );
}

async function attempt(
  token: Token,
  method: string,
  config: Config,
  call: () => Promise<unknown>,
): Promise<string | undefined> {
  try {
    await call();
    return undefined;
  } catch (error) {
    const { code, data, message } = error as { code?: string; data?: { error?: string }; message?: string };
    if (code === ErrorCode.PlatformError && data?.error) {
      const fixes = FIXES[token];
      const fix = fixes[data.error] ?? fixes.default;
      return `Preflight can't start: Slack refused ${token} (${method} answered ${data.error}); ${fix}.`;
    }
    const where = config.SLACK_API_URL ?? "https://slack.com/api/";
    const reason = (message ?? String(error)).split("\n")[0];
    return `Preflight can't start: Slack at ${where} did not answer ${method} for ${token} (${reason}); check the network, or SLACK_API_URL.`;
  }
}
