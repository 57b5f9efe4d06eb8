import type { Config } from "../config.js";
import type { TrackerName } from "../core/tracker/ticket.js";
import { parseTicket } from "../core/tracker/ticket.js";
import { createGithubTracker } from "./github-tracker.js";
import { createJiraTracker } from "./jira-tracker.js";
import { type TrackerClient, TrackerError } from "./tracker-port.js";

/** The trackers the environment configures: GitHub with GITHUB_TOKEN, Jira with JIRA_BASE_URL. */
export function trackersFromConfig(config: Config): Partial<Record<TrackerName, TrackerClient>> {
  const clients: Partial<Record<TrackerName, TrackerClient>> = {};
  if (config.GITHUB_TOKEN)
    clients.github = createGithubTracker({
      token: config.GITHUB_TOKEN,
      ...(config.GITHUB_API_URL ? { apiUrl: config.GITHUB_API_URL } : {}),
    });
  if (config.JIRA_BASE_URL)
    clients.jira = createJiraTracker({
      baseUrl: config.JIRA_BASE_URL,
      ...(config.JIRA_PAT ? { pat: config.JIRA_PAT } : {}),
      ...(config.JIRA_EMAIL ? { email: config.JIRA_EMAIL } : {}),
      ...(config.JIRA_API_TOKEN ? { apiToken: config.JIRA_API_TOKEN } : {}),
    });
  return clients;
}

/**
 * Like the Slack tokens at start: each configured tracker checks its token. A refusal is one
 * warning line naming the variable; the bot still runs (runs needing it say so in their thread).
 */
export async function checkTrackerCredentials(
  clients: Partial<Record<TrackerName, TrackerClient>>,
): Promise<string[]> {
  const lines = await Promise.all(
    Object.values(clients).map(async (client) => {
      try {
        await client.checkToken();
        return undefined;
      } catch (error) {
        const name = client.name === "github" ? "GitHub" : "Jira";
        const where = client.name === "github" ? "GITHUB_API_URL" : "JIRA_BASE_URL";
        if (error instanceof TrackerError && error.kind === "permanent")
          return `${name} refused ${client.tokenVariable} (${error.status ?? "error"}): set a valid token in ${client.tokenVariable}. Preflight runs on; tickets and post-mortems in ${name} wait until it is fixed.`;
        return `${name} did not answer the token check for ${client.tokenVariable} (${error instanceof Error ? error.message : String(error)}); check the network or ${where}. Preflight runs on.`;
      }
    }),
  );
  return lines.filter((line): line is string => line !== undefined);
}

/** The web page a ticket id links to before the tracker said it (GitHub: derived from the API URL). */
export function ticketLinker(config: Config): (ticket: string) => string | undefined {
  return (ticket) => {
    const ref = parseTicket(ticket);
    if (!ref) return undefined;
    if (ref.tracker === "jira") {
      return config.JIRA_BASE_URL
        ? `${config.JIRA_BASE_URL.replace(/\/$/, "")}/browse/${ref.key}`
        : undefined;
    }
    const api = config.GITHUB_API_URL?.replace(/\/$/, "");
    const web =
      api === undefined || api === "https://api.github.com"
        ? "https://github.com"
        : api.endsWith("/api/v3")
          ? api.slice(0, -"/api/v3".length)
          : undefined;
    return web ? `${web}/${ref.owner}/${ref.repo}/issues/${ref.number}` : undefined;
  };
}
