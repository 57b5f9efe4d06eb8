import type { Config } from "../config.js";
import { checkTrackerCredentials, ticketLinker, trackersFromConfig } from "./configure.js";
import { createTrackerRunner, type TrackerRunnerDeps } from "./tracker-runner.js";

/**
 * GitHub and Jira as configured by the environment: the token check at start (one warning line
 * each that refuses; the bot still runs), the runner of tracker effects and the ticket links.
 */
export async function startTrackers(config: Config, deps: Omit<TrackerRunnerDeps, "clients">) {
  const clients = trackersFromConfig(config);
  for (const line of await checkTrackerCredentials(clients)) deps.log.warn(line);
  const runner = createTrackerRunner({ ...deps, clients });
  return { runner, ticketLink: ticketLinker(config), configured: Object.keys(clients) };
}
