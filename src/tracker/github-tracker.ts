import type { Octokit } from "@octokit/rest";
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

/** GitHub issues through @octokit/rest: `GITHUB_TOKEN`, `GITHUB_API_URL` (Enterprise, local doubles). */

export interface GithubConfig {
  token: string;
  apiUrl?: string;
  timeoutMs?: number;
}

const ISSUE_REF = /^([\w.-]+)\/([\w.-]+)#(\d+)$/;

export function createGithubTracker(config: GithubConfig): TrackerClient {
  // Octokit loads on the first call, not at every start of the bot.
  let loaded: Promise<Octokit> | undefined;
  const client = () =>
    (loaded ??= import("@octokit/rest").then(
      ({ Octokit: Client }) =>
        new Client({
          auth: config.token,
          baseUrl: (config.apiUrl ?? "https://api.github.com").replace(/\/$/, ""),
          // Octokit's fetch has no timeout of its own: a hung GitHub must not hold the lane forever.
          request: {
            fetch: (url: string | URL, init?: RequestInit) =>
              fetch(url, { ...init, signal: AbortSignal.timeout(config.timeoutMs ?? 10_000) }),
          },
          log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
        }),
    ));

  async function call<T>(what: string, fn: (api: Octokit) => Promise<T>): Promise<T> {
    try {
      return await fn(await client());
    } catch (error) {
      const { status, response, message } = error as {
        status?: number;
        response?: { headers?: Record<string, unknown> };
        message?: string;
      };
      throw classifyHttp(
        "github",
        typeof status === "number" && status > 0 ? status : undefined,
        response?.headers,
        `${what}: ${message ?? String(error)}`,
      );
    }
  }

  const marker = (effectId: string) => `<!-- ${trackerMarker(effectId)} -->`;
  /** Preflight's marker is the last line of what it writes: a marker anywhere else is someone's text. */
  const has = (body: string | null | undefined, effectId: string) => lastLine(body) === marker(effectId);

  function parseRef(ref: string) {
    const match = ISSUE_REF.exec(ref);
    if (!match)
      throw new TrackerError("github", "permanent", undefined, `${ref} is not a GitHub issue reference`);
    return { owner: match[1] as string, repo: match[2] as string, issue_number: Number(match[3]) };
  }

  function placeOf(place: IssuePlace) {
    if (place.tracker !== "github")
      throw new TrackerError("github", "permanent", undefined, "not a GitHub place");
    return { owner: place.owner, repo: place.repo };
  }

  const asRef = (
    owner: string,
    repo: string,
    issue: { number: number; html_url: string },
  ): TrackerIssueRef => ({
    ref: `${owner}/${repo}#${issue.number}`,
    url: issue.html_url,
  });

  return {
    name: "github",
    tokenVariable: "GITHUB_TOKEN",
    withMarker: (body, effectId) => `${body.trimEnd()}\n\n${marker(effectId)}\n`,
    async hasComment(ticket: TicketRef, effectId: string) {
      if (ticket.tracker !== "github") return false;
      const comments = await call(
        `listing the comments of ${ticket.owner}/${ticket.repo}#${ticket.number}`,
        (octokit) =>
          octokit.paginate(octokit.rest.issues.listComments, {
            owner: ticket.owner,
            repo: ticket.repo,
            issue_number: ticket.number,
            per_page: 100,
          }),
      );
      return comments.some((comment) => has(comment.body, effectId));
    },
    async addComment(ticket, body) {
      if (ticket.tracker !== "github") return;
      await call(`commenting on ${ticket.owner}/${ticket.repo}#${ticket.number}`, (octokit) =>
        octokit.rest.issues.createComment({
          owner: ticket.owner,
          repo: ticket.repo,
          issue_number: ticket.number,
          body,
        }),
      );
    },
    async ticketLink(ticket) {
      if (ticket.tracker !== "github") return "";
      const { data } = await call(`reading ${ticket.owner}/${ticket.repo}#${ticket.number}`, (octokit) =>
        octokit.rest.issues.get({ owner: ticket.owner, repo: ticket.repo, issue_number: ticket.number }),
      );
      return data.html_url;
    },
    async findIssue(place, effectId) {
      const { owner, repo } = placeOf(place);
      // Listing is consistent where search is not (a just-created issue may not be found yet).
      const { data } = await call(`listing the issues of ${owner}/${repo}`, (octokit) =>
        octokit.rest.issues.listForRepo({
          owner,
          repo,
          state: "all",
          sort: "created",
          direction: "desc",
          per_page: 100,
        }),
      );
      const found = data.find((issue) => has(issue.body, effectId));
      return found ? asRef(owner, repo, found) : undefined;
    },
    async createIssue(place, issue: NewIssue) {
      const { owner, repo } = placeOf(place);
      const { data } = await call(`creating an issue in ${owner}/${repo}`, (octokit) =>
        octokit.rest.issues.create({
          owner,
          repo,
          title: issue.title,
          body: issue.body,
          labels: place.labels,
        }),
      );
      return asRef(owner, repo, data);
    },
    async issueBody(ref) {
      const { data } = await call(`reading ${ref}`, (octokit) => octokit.rest.issues.get(parseRef(ref)));
      return data.body ?? "";
    },
    async updateIssue(ref, body) {
      await call(`editing ${ref}`, (octokit) => octokit.rest.issues.update({ ...parseRef(ref), body }));
    },
    async issueState(ref) {
      const { data } = await call(`reading ${ref}`, (octokit) => octokit.rest.issues.get(parseRef(ref)));
      return data.state === "closed" ? "closed" : "open";
    },
    async checkToken() {
      await call("checking the token (GET /user)", (octokit) => octokit.rest.users.getAuthenticated());
    },
  };
}
