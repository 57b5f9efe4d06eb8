import type { Version2Client } from "jira.js";
import type { TicketRef } from "../core/tracker/ticket.js";
import {
  classifyHttp,
  type IssuePlace,
  lastLine,
  type NewIssue,
  type TrackerClient,
  TrackerError,
  type TrackerIssueRef,
  trackerMarker,
} from "./tracker-port.js";

/**
 * Jira Cloud or Data Center through jira.js (REST v2: wiki-markup strings, which both accept).
 * `JIRA_BASE_URL` with `JIRA_EMAIL` + `JIRA_API_TOKEN` (basic) or `JIRA_PAT` (bearer). Jira has no
 * hidden text: a body's last line is `preflight:<effect id>`.
 */

export interface JiraConfig {
  baseUrl: string;
  email?: string;
  apiToken?: string;
  pat?: string;
  timeoutMs?: number;
}

interface JiraIssue {
  key: string;
  fields?: {
    description?: string | null;
    status?: { statusCategory?: { key?: string } };
    parent?: { key?: string };
  };
}

export function createJiraTracker(config: JiraConfig): TrackerClient {
  const host = config.baseUrl.replace(/\/$/, "");
  // jira.js loads on the first call, not at every start of the bot (jira.js alone is ~45 MiB).
  let loaded: Promise<Version2Client> | undefined;
  const client = () =>
    (loaded ??= import("jira.js").then(
      ({ Version2Client: Client }) =>
        new Client({
          host,
          ...(config.pat
            ? {
                baseRequestConfig: {
                  headers: { Authorization: `Bearer ${config.pat}` },
                  timeout: config.timeoutMs ?? 10_000,
                },
              }
            : {
                authentication: { basic: { email: config.email ?? "", apiToken: config.apiToken ?? "" } },
                baseRequestConfig: { timeout: config.timeoutMs ?? 10_000 },
              }),
        }),
    ));
  const tokenVariable = config.pat ? "JIRA_PAT" : "JIRA_API_TOKEN";

  async function call<T>(what: string, fn: (api: Version2Client) => Promise<T>): Promise<T> {
    try {
      return await fn(await client());
    } catch (error) {
      const { status, cause, message } = error as {
        status?: number;
        cause?: { response?: { headers?: Record<string, unknown> } };
        message?: string;
      };
      const headers = cause?.response?.headers;
      // No answer at all (timeout, refused connection) is worth another try.
      const answered = headers !== undefined && typeof status === "number" ? status : undefined;
      throw classifyHttp("jira", answered, headers, `${what}: ${message ?? String(error)}`);
    }
  }

  const marker = trackerMarker;
  /** Preflight's marker is the last line of what it writes: a marker anywhere else is someone's text. */
  const has = (body: string | null | undefined, effectId: string) => lastLine(body) === marker(effectId);
  const asRef = (key: string): TrackerIssueRef => ({ ref: key, url: `${host}/browse/${key}` });

  function projectOf(place: IssuePlace) {
    if (place.tracker !== "jira") throw new TrackerError("jira", "permanent", undefined, "not a Jira place");
    return place;
  }

  async function search(jql: string): Promise<JiraIssue[]> {
    const fields = ["description", "status", "parent"];
    try {
      const found = await call(`searching ${jql}`, (jira) =>
        jira.issueSearch.searchForIssuesUsingJqlEnhancedSearch({ jql, maxResults: 100, fields }),
      );
      return (found.issues ?? []) as JiraIssue[];
    } catch (error) {
      // Data Center has no /search/jql; Cloud removed /search (410).
      if (!(error instanceof TrackerError) || error.status !== 404) throw error;
      const found = await call(`searching ${jql}`, (jira) =>
        jira.issueSearch.searchForIssuesUsingJql({ jql, maxResults: 100, fields }),
      );
      return (found.issues ?? []) as JiraIssue[];
    }
  }

  async function getIssue(key: string): Promise<JiraIssue> {
    return (await call(`reading ${key}`, (jira) =>
      jira.issues.getIssue({ issueIdOrKey: key, fields: ["description", "status", "parent"] }),
    )) as JiraIssue;
  }

  return {
    name: "jira",
    tokenVariable,
    withMarker: (body, effectId) => `${body.trimEnd()}\n\n${marker(effectId)}`,
    async hasComment(ticket: TicketRef, effectId: string) {
      if (ticket.tracker !== "jira") return false;
      const page = await call(`listing the comments of ${ticket.key}`, (jira) =>
        jira.issueComments.getComments({ issueIdOrKey: ticket.key, maxResults: 1000 }),
      );
      return (page.comments ?? []).some((comment) => has((comment as { body?: string }).body, effectId));
    },
    async addComment(ticket, body) {
      if (ticket.tracker !== "jira") return;
      await call(`commenting on ${ticket.key}`, (jira) =>
        jira.issueComments.addComment({ issueIdOrKey: ticket.key, comment: body }),
      );
    },
    async ticketLink(ticket) {
      return ticket.tracker === "jira" ? asRef(ticket.key).url : "";
    },
    async findIssue(place, effectId, parent) {
      const { project } = projectOf(place);
      const jql = parent
        ? `parent = ${parent} ORDER BY created DESC`
        : `project = ${project} ORDER BY created DESC`;
      const found = (await search(jql)).find((issue) => has(issue.fields?.description, effectId));
      return found ? asRef(found.key) : undefined;
    },
    async createIssue(place, issue: NewIssue) {
      const { project, issueType, subtaskType, labels } = projectOf(place);
      const created = await call(`creating an issue in ${project}`, (jira) =>
        jira.issues.createIssue({
          fields: {
            project: { key: project },
            issuetype: { name: issue.parent ? subtaskType : issueType },
            summary: issue.title,
            description: issue.body,
            labels,
            ...(issue.parent ? { parent: { key: issue.parent } } : {}),
          },
        }),
      );
      return asRef(created.key);
    },
    async issueBody(ref) {
      return (await getIssue(ref)).fields?.description ?? "";
    },
    async updateIssue(ref, body) {
      await call(`editing ${ref}`, (jira) =>
        jira.issues.editIssue({ issueIdOrKey: ref, fields: { description: body } }),
      );
    },
    async issueState(ref) {
      return (await getIssue(ref)).fields?.status?.statusCategory?.key === "done" ? "closed" : "open";
    },
    async checkToken() {
      await call("checking the token (GET /rest/api/2/myself)", (jira) => jira.myself.getCurrentUser());
    },
  };
}
