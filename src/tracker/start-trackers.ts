import type { Config } from "../config.js";
import type { Checklist } from "../core/checklist/schema.js";
import type { TrackerName } from "../core/tracker/ticket.js";
import { checkTrackerCredentials, ticketLinker, trackersFromConfig } from "./configure.js";
import { createTrackerRunner, type TrackerRunnerDeps } from "./tracker-runner.js";

/**
 * GitHub and Jira as configured by the environment: the token check at start (one warning line
 * each that refuses; the bot still runs), the runner of tracker effects and the ticket links.
 * A checklist whose post-mortem goes to a tracker that is not configured is one warning too.
 */
export async function startTrackers(
  config: Config,
  checklists: readonly Checklist[],
  deps: Omit<TrackerRunnerDeps, "clients">,
) {
  const clients = trackersFromConfig(config);
  for (const line of await checkTrackerCredentials(clients)) deps.log.warn(line);
  for (const line of unconfigured(checklists, Object.keys(clients) as TrackerName[])) deps.log.warn(line);
  const runner = createTrackerRunner({ ...deps, clients });
  return { runner, ticketLink: ticketLinker(config), configured: Object.keys(clients) };
}

function unconfigured(checklists: readonly Checklist[], configured: readonly TrackerName[]): string[] {
  const lines: string[] = [];
  for (const checklist of checklists) {
    const rule = checklist.post_mortem;
    if (!rule || rule.when === "never" || configured.includes(rule.tracker)) continue;
    lines.push(
      rule.tracker === "github"
        ? `${checklist.id} opens post-mortems as GitHub issues in ${rule.repo}, but GITHUB_TOKEN is not set: set GITHUB_TOKEN (and GITHUB_API_URL for GitHub Enterprise) to have them.`
        : `${checklist.id} opens post-mortems as Jira issues in ${rule.project}, but JIRA_BASE_URL is not set: set JIRA_BASE_URL with JIRA_EMAIL and JIRA_API_TOKEN (or JIRA_PAT) to have them.`,
    );
  }
  return lines;
}
