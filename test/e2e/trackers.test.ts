import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RunEvent } from "../../src/core/run/run-schema.js";
import { CHANNEL, type Harness, SIGNING_SECRET, startHarness } from "../support/bot-harness.js";
import { type GithubDouble, startGithubDouble } from "../support/github-double.js";
import { type JiraDouble, startJiraDouble } from "../support/jira-double.js";
import { sendInteraction, viewSubmissionPayload } from "../support/slack-requests.js";
import { trackedChecklist } from "../support/tracked-runs.js";

/**
 * Work tickets and the post-mortem as an issue, over the wire: the bot talks to local GitHub and
 * Jira doubles through @octokit/rest and jira.js, exactly as it would talk to the real APIs.
 */

const REPO = "acme/invoicing-ops";
const ALICE = "UALICE";
let dir: string;
let h: Harness | undefined;
let github: GithubDouble | undefined;
let jira: JiraDouble | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "preflight-trackers-"));
  await writeFile(
    join(dir, "tracked.yaml"),
    trackedChecklist(
      "tracked",
      `  tracker: github\n  repo: ${REPO}\n  labels: [post-mortem]\n  when: problems`,
    ),
  );
  await writeFile(
    join(dir, "tracked-jira.yaml"),
    trackedChecklist("tracked-jira", "  tracker: jira\n  project: OPS\n  when: problems"),
  );
});
afterEach(async () => {
  await h?.stop();
  await github?.close();
  await jira?.close();
  h = github = jira = undefined;
});

async function withGithub(token = "ghp-test") {
  github = await startGithubDouble();
  github.createRepo(REPO, 1);
  h = await startHarness({
    checklistsDir: dir,
    env: { GITHUB_TOKEN: token, GITHUB_API_URL: github.url },
  });
  return { h, github };
}

async function act(runId: string, event: RunEvent, id: string) {
  const { result } = await (h as Harness).bot.service.act(runId, event, id);
  expect(result.status).toBe("applied");
}

const comments = (n: number) => github?.issue(REPO, n)?.comments ?? [];

describe("GitHub", () => {
  it("a prod run without a ticket is asked for one, a bad one is refused, a good one is commented on once at start and once at end", async () => {
    const { h, github } = await withGithub();
    await h.command("start tracked env=prod", ALICE);
    const form = await h.slack.waitFor(() => h.slack.callsTo("views.open").at(-1));
    expect(JSON.stringify(form.args.view)).toContain("param_ticket");
    expect(h.slack.messages(CHANNEL)).toHaveLength(0);
    // The form refuses a bad ticket on its field, naming the accepted form.
    const view = form.args.view as { callback_id: string; private_metadata: string };
    const submit = (ticket: string) =>
      sendInteraction(
        h.url,
        SIGNING_SECRET,
        viewSubmissionPayload({
          userId: ALICE,
          callbackId: view.callback_id,
          privateMetadata: view.private_metadata,
          values: { param_ticket: { value: { type: "plain_text_input", value: ticket } } },
        }),
      );
    const refused = await submit("later");
    expect(refused.json).toMatchObject({ response_action: "errors" });
    expect(JSON.stringify(refused.json)).toContain("owner/repo#123");
    expect(h.slack.messages(CHANNEL)).toHaveLength(0);

    const bad = await h.command("start tracked env=prod ticket=nope", ALICE);
    expect(bad.body).toContain("ticket=nope is not accepted: use owner/repo#123 (a GitHub issue) or ABC-123");
    expect(h.slack.messages(CHANNEL)).toHaveLength(0);

    // The comment is made, and its answer lost: the retry finds it by its marker.
    github.loseAnswer(/^POST .*\/issues\/1\/comments$/);
    await h.command(`start tracked env=prod ticket=${REPO}#1`, ALICE);
    const message = await h.slack.waitFor(() => h.slack.messages(CHANNEL)[0]);
    await expect.poll(() => comments(1).length).toBe(1);
    await h.settle();
    const run = await h.run();
    expect(run.ticket).toBe(`${REPO}#1`);
    await expect
      .poll(() => h.messageText(h.slack.message(CHANNEL, message.ts)))
      .toContain(`/web/${REPO}/issues/1|${REPO}#1>`);
    expect(comments(1)[0]?.body).toContain(`<!-- preflight:${run.id}.`);

    github.loseAnswer(/^POST .*\/issues\/1\/comments$/);
    await act(run.id, { type: "complete_step", stepId: "change", by: ALICE }, "e-complete");
    await act(run.id, { type: "finish", by: ALICE }, "e-finish");
    await expect.poll(() => comments(1).length).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(comments(1)).toHaveLength(2);
    expect(comments(1)[1]?.body).toContain("Outcome: finished");
    // A clean run under `when: problems`: no post-mortem issue.
    expect(github.issues(REPO)).toHaveLength(1);
  });

  it("a run with a problem gets its post-mortem issue with follow-ups; one added later edits it; @mentions and #refs stay text", async () => {
    const { h, github } = await withGithub();
    await h.command(`start tracked env=qa ticket=${REPO}#1`, ALICE);
    await h.slack.waitFor(() => h.slack.messages(CHANNEL)[0]);
    const run = await h.run();
    await act(
      run.id,
      { type: "report_problem", stepId: "change", text: "lag spiked, @infra-team saw #12", by: ALICE },
      "e-p",
    );
    await act(run.id, { type: "follow_up_added", text: "alert on replica lag", by: ALICE }, "e-f1");
    github.loseAnswer(/^POST \/repos\/acme\/invoicing-ops\/issues$/);
    await h.command(`abort ${run.id} replica lag too high`, ALICE);
    await expect.poll(() => github.issues(REPO).length, { timeout: 5_000 }).toBe(3);
    const [, postMortem, followUp] = github.issues(REPO);
    expect(postMortem?.title).toMatch(/^Post-mortem: Tracked change \(qa, \d{4}-\d{2}-\d{2}\)$/);
    expect(postMortem?.labels).toEqual(["post-mortem"]);
    expect(followUp?.title).toContain("alert on replica lag");
    await expect.poll(() => github.issue(REPO, 2)?.body).toContain("- [ ] #3 alert on replica lag");
    expect(postMortem?.body).not.toContain("@infra-team");
    expect(postMortem?.body).toContain(`| Ticket | [${REPO}#\u200b1](${github.url}/web/${REPO}/issues/1) |`);
    expect(postMortem?.body).not.toMatch(/[^\w]#12/);
    await expect.poll(() => h.threadTexts().join("\n")).toContain(`${REPO}#2`);

    await act(run.id, { type: "follow_up_added", text: "rehearse the failover", by: ALICE }, "e-f2");
    await expect.poll(() => github.issues(REPO).length).toBe(4);
    await expect.poll(() => github.issue(REPO, 2)?.body).toContain("- [ ] #4 rehearse the failover");
    expect(github.issue(REPO, 2)?.body).toMatch(/<!-- preflight:[^ ]+ -->\s*$/);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(github.issues(REPO)).toHaveLength(4);

    // `/maintenance summary` ends each follow-up with its state in the tracker.
    const issue3 = github.issue(REPO, 3);
    if (issue3) issue3.state = "closed";
    await h.command(`summary ${run.id}`, ALICE);
    await expect.poll(() => h.threadTexts().length).toBeGreaterThan(0);
    await expect
      .poll(() => JSON.stringify(h.slack.thread(CHANNEL, h.runMessage().ts).map((m) => m.blocks)))
      .toContain(`${REPO}#3> (closed)`);
  });

  it("a token GitHub refuses is one warning at start and one line in the run's thread", async () => {
    const { h, github } = await withGithub("ghp-wrong");
    expect(h.logs.filter((l) => l.message.includes("GITHUB_TOKEN"))).toHaveLength(1);
    await h.command(`start tracked env=qa ticket=${REPO}#1`, ALICE);
    await h.slack.waitFor(() => h.slack.messages(CHANNEL)[0]);
    const before = github.calls.length;
    // Preflight keeps trying (the token may be fixed), and says it once.
    await expect.poll(() => github.calls.length - before).toBeGreaterThan(4);
    await h.settle();
    const said = h.threadTexts().filter((t) => t.includes("GITHUB_TOKEN"));
    expect(said).toHaveLength(1);
    expect(said[0]).toContain("401");
    expect(comments(1)).toHaveLength(0);
  });

  it("a dry run sends nothing to GitHub and says in its thread what it would have posted", async () => {
    const { h, github } = await withGithub();
    const before = github.calls.length;
    await h.command(`start tracked env=qa ticket=${REPO}#1 dry_run=true`, ALICE);
    await h.slack.waitFor(() => h.slack.messages(CHANNEL)[0]);
    const run = await h.run();
    await act(run.id, { type: "report_problem", text: "something broke", by: ALICE }, "e-p");
    await h.command(`abort ${run.id} rehearsal over`, ALICE);
    await expect.poll(() => h.threadTexts().join("\n")).toContain(`GitHub ${REPO}`);
    await h.settle();
    expect(h.threadTexts().join("\n")).toContain(`comment on ${REPO}#1 (GitHub)`);
    expect(github.calls.slice(before)).toEqual([]);
    expect(github.issues(REPO)).toHaveLength(1);
  });
});

describe("Jira", () => {
  it("comments once at start and at end with a lost answer; a clean run under `when: problems` opens no issue", async () => {
    jira = await startJiraDouble();
    jira.createProject("OPS", 1);
    h = await startHarness({
      checklistsDir: dir,
      env: { JIRA_BASE_URL: jira.url, JIRA_EMAIL: "bot@example.com", JIRA_API_TOKEN: "jira-test" },
    });
    const double = jira;
    double.loseAnswer(/^POST \/rest\/api\/2\/issue\/OPS-1\/comment$/, 2);
    await h.command("start tracked-jira env=prod ticket=OPS-1", ALICE);
    await h.slack.waitFor(() => h?.slack.messages(CHANNEL)[0]);
    const run = await h.run();
    expect(run.ticketUrl).toBe(`${double.url}/browse/OPS-1`);
    await expect.poll(() => double.issue("OPS-1")?.comments.length).toBe(1);
    await act(run.id, { type: "complete_step", stepId: "change", by: ALICE }, "e-complete");
    await act(run.id, { type: "finish", by: ALICE }, "e-finish");
    await expect.poll(() => double.issue("OPS-1")?.comments.length).toBe(2);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const bodies = double.issue("OPS-1")?.comments.map((c) => c.body) ?? [];
    expect(bodies).toHaveLength(2);
    for (const body of bodies) expect(body.split("\n").at(-1)).toMatch(/^preflight:r-/);
    expect(double.issues("OPS")).toHaveLength(1);
  });

  it("a run with a problem gets its post-mortem issue and a sub-task per follow-up, despite a 429 and a lost answer", async () => {
    jira = await startJiraDouble({ pat: "jira-pat" });
    jira.createProject("OPS", 1);
    h = await startHarness({ checklistsDir: dir, env: { JIRA_BASE_URL: jira.url, JIRA_PAT: "jira-pat" } });
    const double = jira;
    await h.command("start tracked-jira env=qa ticket=OPS-1", ALICE);
    await h.slack.waitFor(() => h?.slack.messages(CHANNEL)[0]);
    const run = await h.run();
    await act(run.id, { type: "report_problem", text: "cc [~admin] about {color}", by: ALICE }, "e-p");
    await act(run.id, { type: "follow_up_added", text: "page on replica lag", by: ALICE }, "e-f1");
    double.fail({ status: 429, retryAfter: 0, times: 1, match: /^POST \/rest\/api\/2\/issue$/ });
    double.loseAnswer(/^POST \/rest\/api\/2\/issue$/);
    await h.command(`abort ${run.id} lag`, ALICE);
    await expect.poll(() => double.issues("OPS").length, { timeout: 5_000 }).toBe(3);
    const [, postMortem, subTask] = double.issues("OPS");
    expect(postMortem?.summary).toMatch(/^Post-mortem: Tracked change \(qa, /);
    expect(postMortem?.description.split("\n").at(-1)).toMatch(/^preflight:r-/);
    expect(postMortem?.description).not.toContain("[~admin]");
    expect(subTask).toMatchObject({ parent: "OPS-2", issuetype: "Sub-task" });
    await expect.poll(() => double.issue("OPS-2")?.description).toContain("* OPS-3 page on replica lag");
    await h.settle();
    expect(double.issues("OPS")).toHaveLength(3);
    await expect.poll(() => h?.threadTexts().join("\n")).toContain(`${double.url}/browse/OPS-2`);
  });
});
