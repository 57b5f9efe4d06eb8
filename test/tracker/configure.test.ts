import { describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.js";
import { ticketLinker } from "../../src/tracker/configure.js";
import { jiraWiki, neutralise } from "../../src/tracker/tracker-bodies.js";

const base = { SLACK_BOT_TOKEN: "xoxb-test", SLACK_SIGNING_SECRET: "s" };

function config(env: Record<string, string>) {
  const loaded = loadConfig({ ...base, ...env });
  if (!loaded.ok) throw new Error(loaded.message);
  return loaded.config;
}

describe("tracker configuration", () => {
  it("Jira without credentials is named in the start-up message", () => {
    const loaded = loadConfig({ ...base, JIRA_BASE_URL: "https://acme.atlassian.net" });
    expect(!loaded.ok && loaded.message).toContain(
      "set JIRA_EMAIL and JIRA_API_TOKEN (Jira Cloud), or JIRA_PAT",
    );
    expect(loadConfig({ ...base, JIRA_BASE_URL: "https://jira.acme.com", JIRA_PAT: "p" }).ok).toBe(true);
  });

  it("links a ticket to github.com, to a GitHub Enterprise host, or to Jira's browse page", () => {
    expect(ticketLinker(config({}))("acme/ops#7")).toBe("https://github.com/acme/ops/issues/7");
    expect(ticketLinker(config({ GITHUB_API_URL: "https://git.acme.com/api/v3" }))("acme/ops#7")).toBe(
      "https://git.acme.com/acme/ops/issues/7",
    );
    const jira = config({ JIRA_BASE_URL: "https://acme.atlassian.net/", JIRA_PAT: "p" });
    expect(ticketLinker(jira)("OPS-12")).toBe("https://acme.atlassian.net/browse/OPS-12");
    expect(ticketLinker(config({}))("OPS-12")).toBeUndefined();
  });
});

describe("text from people", () => {
  it("neither pings a team nor links an issue on GitHub, nor mentions a user on Jira", () => {
    const github = neutralise("ask @acme/dba about #123", "github");
    expect(github).not.toMatch(/@acme/);
    expect(github).not.toMatch(/#123/);
    expect(github.replace(/\u200b/g, "")).toBe("ask @acme/dba about #123");
    expect(neutralise("cc [~admin]", "jira")).not.toContain("[~");
  });
});

describe("the post-mortem in Jira", () => {
  it("is wiki markup: headings, bold, code, links and lists", () => {
    const md = "# Post-mortem\n\n| Run | `r-1` |\n| --- | --- |\n- **Owner:** [ticket](https://x.example/1)";
    expect(jiraWiki(md)).toBe(
      "h1. Post-mortem\n\n| Run | {{r-1}} |\n* *Owner:* [ticket|https://x.example/1]",
    );
  });
});
