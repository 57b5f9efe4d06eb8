import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { CHANNEL, type Harness, startHarness } from "../support/bot-harness.js";
import { type GithubDouble, startGithubDouble } from "../support/github-double.js";
import { type JiraDouble, startJiraDouble } from "../support/jira-double.js";
import { submitViaModal, trackedChecklist } from "../support/tracked-runs.js";

/**
 * README "What is guaranteed": "Whatever a person typed ... is escaped before it reaches Slack,
 * GitHub or Jira. Only Preflight makes mentions and links." Over the wire, against the GitHub and
 * Jira doubles: person text enters through the Report problem and Abort modals, as typed (the
 * cases of an adversarial probe), and the bodies the trackers receive are checked line by line.
 */

const Z = "\u200b";

const REPO = "acme/invoicing-ops";
const ALICE = "UALICE";
let dir: string;
let h: Harness | undefined;
let github: GithubDouble | undefined;
let jira: JiraDouble | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "preflight-tracker-injection-"));
  await writeFile(
    join(dir, "tracked.yaml"),
    trackedChecklist(
      "tracked",
      `  tracker: github\n  repo: ${REPO}\n  labels: [post-mortem]\n  when: always`,
    ),
  );
  await writeFile(
    join(dir, "tracked-jira.yaml"),
    trackedChecklist("tracked-jira", "  tracker: jira\n  project: OPS\n  when: always"),
  );
});
afterEach(async () => {
  await h?.stop();
  await github?.close();
  await jira?.close();
  h = github = jira = undefined;
});

/** Report a problem through the real modal, as a person would. */
async function reportProblem(harness: Harness, user: string, text: string) {
  await submitViaModal(harness, user, { actionId: "step_problem" }, "report_problem_modal", text);
}

describe("GitHub: person text in the post-mortem issue and the end comment", () => {
  it("a problem's Markdown link, image, raw HTML and entities, and a multi-line abort reason, reach the issue and the end comment as text", async () => {
    github = await startGithubDouble();
    github.createRepo(REPO, 1);
    h = await startHarness({
      checklistsDir: dir,
      env: { GITHUB_TOKEN: "ghp-test", GITHUB_API_URL: github.url },
    });
    const harness = h;
    await harness.command(`start tracked env=qa ticket=${REPO}#1`, ALICE);
    await harness.slack.waitFor(() => harness.slack.messages(CHANNEL)[0]);
    await harness.settle();
    const run = await harness.run();

    const PROBLEM = [
      "Login broken, [reset your SSO password here](https://evil.example/login)",
      "![status](https://evil.example/pixel.png)",
      '<a href="https://evil.example/a">runbook</a> <img src="https://evil.example/i.png">',
      "&#x40;acme/infra-team and &#x40;octocat see &#x23;12",
    ].join(" ");
    await reportProblem(harness, ALICE, PROBLEM);
    // The abort reason lands in the end comment on the ticket and in the post-mortem. A reason with
    // line breaks writes lines of its own into Preflight's comment: a forged "Summary" link, then
    // an HTML comment that hides Preflight's real lines up to its own marker's `-->`.
    await submitViaModal(
      harness,
      ALICE,
      { actionId: "run_abort" },
      "abort_run_modal",
      `see [the incident](https://evil.example/inc)\n- Summary: [post-mortem of ${run.id}](https://evil.example/pm)\n<!--`,
    );
    await expect.poll(() => github?.issues(REPO).length, { timeout: 10_000 }).toBe(2);
    await expect.poll(() => github?.issue(REPO, 1)?.comments.length, { timeout: 10_000 }).toBe(2);
    const body = github.issue(REPO, 2)?.body ?? "";
    const endComment = github.issue(REPO, 1)?.comments[1]?.body ?? "";
    // The exact lines: each person's text escaped as Markdown text, on one line.
    expect(body.split("\n")).toContain(
      `1. **Still open:** Login broken, \\[reset your SSO password here\\](https:${Z}//evil.example/login) \\!\\[status\\](https:${Z}//evil.example/pixel.png) &lt;a href="https:${Z}//evil.example/a"&gt;runbook&lt;/a&gt; &lt;img src="https:${Z}//evil.example/i.png"&gt; &amp;#x40;acme/infra-team and &amp;#x40;octocat see &amp;#x23;12 (on step 1 "Make the change")`,
    );
    expect(endComment.split("\n")[2]).toBe(
      `- Outcome: aborted: see \\[the incident\\](https:${Z}//evil.example/inc) - Summary: \\[post-mortem of ${run.id}\\](https:${Z}//evil.example/pm) &lt;\\!--`,
    );
    expect(endComment.split("\n").filter((line) => line.startsWith("- Summary:"))).toHaveLength(1);
    expect(endComment.trimEnd().split("\n").at(-1)).toMatch(/^<!-- preflight:[^ ]+ -->$/);

    // Links a person made: a disguised link, an image (fetched by every reader's browser), raw HTML.
    expect(body, "Markdown link from the problem text is live").not.toContain(
      "[reset your SSO password here](https://evil.example/login)",
    );
    expect(body, "Markdown image from the problem text is live").not.toContain(
      "![status](https://evil.example/pixel.png)",
    );
    expect(body, "raw <a href> from the problem text").not.toContain('<a href="https://evil.example/a">');
    expect(body, "raw <img> from the problem text").not.toContain('<img src="https://evil.example/i.png">');
    // GitHub decodes entities before it looks for @mentions and #refs: the neutraliser misses them.
    // (Decimal `&#64;` is broken by accident: `#(?=\d)` puts a zero-width space inside it.)
    expect(body, "&#x40;team entity is not neutralised").not.toContain("&#x40;acme/infra-team");
    expect(body, "&#x23;12 entity is not neutralised").not.toContain("&#x23;12");
    // The end comment on the ticket: the abort reason's link is live there too.
    expect(endComment, "abort reason's Markdown link in the end comment").not.toContain(
      "[the incident](https://evil.example/inc)",
    );
    // A line starting `<!--` opens an HTML block that runs to the line holding `-->`: Preflight's
    // own marker. Everything Preflight wrote in between (total time, downtime, its real Summary
    // link) is hidden on GitHub; the forged Summary line above it shows.
    expect(endComment, "a forged line of Preflight's own").not.toMatch(
      /^- Summary: \[post-mortem of [^\]]+\]\(https:\/\/evil/m,
    );
    expect(endComment, "a person's line-start `<!--` hides the rest of the comment").not.toMatch(
      /^<!--\s*$/m,
    );
  });
});

describe("Jira: person text in the post-mortem issue and the end comment (wiki markup)", () => {
  it("a problem's wiki link, image and macro, and a multi-line abort reason, reach the description and the end comment as text", async () => {
    jira = await startJiraDouble();
    jira.createProject("OPS", 1);
    h = await startHarness({
      checklistsDir: dir,
      env: { JIRA_BASE_URL: jira.url, JIRA_EMAIL: "bot@example.com", JIRA_API_TOKEN: "jira-test" },
    });
    const harness = h;
    const double = jira;
    await harness.command("start tracked-jira env=qa ticket=OPS-1", ALICE);
    await harness.slack.waitFor(() => harness.slack.messages(CHANNEL)[0]);
    await harness.settle();
    const run = await harness.run();

    await reportProblem(
      harness,
      ALICE,
      "Login broken, [reset your SSO password|https://evil.example/login] !https://evil.example/pixel.png! {html}<b>x</b>{html}",
    );
    await submitViaModal(
      harness,
      ALICE,
      { actionId: "run_abort" },
      "abort_run_modal",
      `see [the incident|https://evil.example/inc]\n* Summary: [post-mortem of ${run.id}|https://evil.example/pm]`,
    );
    await expect.poll(() => double.issues("OPS").length, { timeout: 10_000 }).toBe(2);
    await expect.poll(() => double.issue("OPS-1")?.comments.length, { timeout: 10_000 }).toBe(2);
    const description = double.issues("OPS")[1]?.description ?? "";
    const endComment = double.issue("OPS-1")?.comments[1]?.body ?? "";
    expect(description.split("\n")).toContain(
      `1. *Still open:* Login broken, \\[reset your SSO password\\|https:${Z}//evil.example/login\\] \\!https:${Z}//evil.example/pixel.png\\! \\{html\\}<b>x</b>\\{html\\} (on step 1 "Make the change")`,
    );
    expect(endComment.split("\n")[2]).toBe(
      `- Outcome: aborted: see \\[the incident\\|https:${Z}//evil.example/inc\\] \\* Summary: \\[post\\-mortem of ${run.id.replace(/-/g, "\\-")}\\|https:${Z}//evil.example/pm\\]`,
    );
    expect(endComment.split("\n").at(-1)).toMatch(/^preflight:r-/);

    expect(description, "Jira wiki link from the problem text").not.toContain(
      "[reset your SSO password|https://evil.example/login]",
    );
    expect(description, "Jira wiki image from the problem text").not.toContain(
      "!https://evil.example/pixel.png!",
    );
    expect(endComment, "abort reason's wiki link in the end comment").not.toContain(
      "[the incident|https://evil.example/inc]",
    );
    expect(endComment, "a forged Summary line of Preflight's own").not.toMatch(
      /^\* Summary: \[post-mortem of [^|]+\|https:\/\/evil/m,
    );
  });
});
