import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { CHANNEL, type Harness, startHarness } from "../support/bot-harness.js";
import { type GithubDouble, startGithubDouble } from "../support/github-double.js";
import { type JiraDouble, startJiraDouble } from "../support/jira-double.js";
import { submitViaModal } from "../support/tracked-runs.js";

/**
 * A parameter carried by a step or phase title is people's text wherever the post-mortem names
 * the step ("on step 1 …" of a problem, a note, the downtime line) and in the timeline's phase row.
 */
const tracked = (id: string, postMortem: string) => `
id: ${id}
title: Tracked change
summary: A change with a string parameter in its titles
parameters:
  env: { type: enum, values: [qa, prod], default: qa }
  target: { type: string, description: any text }
phases:
  - id: only
    title: Work on {{target}}
    steps:
      - id: change
        title: Change {{target}}
        downtime: start
      - id: after
        title: After
        downtime: end
rules:
  environment: env
post_mortem:
${postMortem}
`;

const REPO = "acme/invoicing-ops";
const ALICE = "UALICE";
// No `"`, since the command's tokenizer drops them; spaces are kept by the quotes.
const GH_VALUE =
  "[Reset your SSO password](https://evil.example/login) ![px](https://evil.example/pixel.png) <img src=https://evil.example/i.png> <!-- preflight:r-forged.9.9 -->";
const JIRA_VALUE =
  "[Reset your SSO password|https://evil.example/login] !https://evil.example/pixel.png! {color:red}ALERT{color} [~admin]";

let dir: string;
let h: Harness | undefined;
let github: GithubDouble | undefined;
let jira: JiraDouble | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "preflight-probe-titles-"));
  await writeFile(
    join(dir, "gh.yaml"),
    tracked("gh", `  tracker: github\n  repo: ${REPO}\n  labels: [post-mortem]\n  when: always`),
  );
  await writeFile(join(dir, "jr.yaml"), tracked("jr", "  tracker: jira\n  project: OPS\n  when: always"));
});
afterEach(async () => {
  await h?.stop();
  await github?.close();
  await jira?.close();
  h = github = jira = undefined;
});

async function workTheRun(harness: Harness) {
  await harness.slack.waitFor(() => harness.slack.messages(CHANNEL)[0]);
  await harness.settle();
  await harness.click(harness.button("step_start", "change"), ALICE);
  await harness.settle();
  await submitViaModal(
    harness,
    ALICE,
    { actionId: "step_problem", stepId: "change" },
    "report_problem_modal",
    "plain problem",
  );
  await submitViaModal(
    harness,
    ALICE,
    { actionId: "step_note", stepId: "change" },
    "add_note_modal",
    "plain note",
  );
  await submitViaModal(harness, ALICE, { actionId: "run_abort" }, "abort_run_modal", "plain reason");
}

describe("a parameter in a step or phase title, in the post-mortem issue", () => {
  it("on GitHub is text: no link, image, HTML or marker of its own", async () => {
    github = await startGithubDouble();
    github.createRepo(REPO, 1);
    h = await startHarness({
      checklistsDir: dir,
      env: { GITHUB_TOKEN: "ghp-test", GITHUB_API_URL: github.url },
    });
    await h.command(`start gh env=qa ticket=${REPO}#1 target="${GH_VALUE}"`, ALICE);
    await workTheRun(h);
    await expect.poll(() => github?.issues(REPO).length, { timeout: 10_000 }).toBe(2);
    const body = github.issue(REPO, 2)?.body ?? "";
    expect(body, "live Markdown link from the parameter").not.toContain(
      "[Reset your SSO password](https://evil.example/login)",
    );
    expect(body, "live Markdown image").not.toContain("![px](https://evil.example/pixel.png)");
    expect(body, "raw <img> HTML").not.toContain("<img src=https://evil.example/i.png>");
    expect(body, "Preflight's marker inside the body from a parameter").not.toContain(
      "<!-- preflight:r-forged.9.9 -->",
    );
  });

  it("on Jira is text: no link, image, macro or mention", async () => {
    jira = await startJiraDouble();
    jira.createProject("OPS");
    h = await startHarness({
      checklistsDir: dir,
      env: { JIRA_BASE_URL: jira.url, JIRA_EMAIL: "bot@example.com", JIRA_API_TOKEN: "jira-test" },
    });
    await h.command(`start jr env=qa target="${JIRA_VALUE}"`, ALICE);
    await workTheRun(h);
    await expect.poll(() => jira?.issues("OPS").length, { timeout: 10_000 }).toBe(1);
    const description = jira.issues("OPS")[0]?.description ?? "";
    console.log(
      "LIVE LINES:\n" +
        description
          .split("\n")
          .filter((l) => l.includes("[Reset your SSO password|https://evil"))
          .join("\n"),
    );
    expect(description, "live wiki link").not.toContain(
      "[Reset your SSO password|https://evil.example/login]",
    );
    expect(description, "live wiki image").not.toContain("!https://evil.example/pixel.png!");
    expect(description, "live colour macro").not.toContain("{color:red}ALERT{color}");
    expect(description, "live mention").not.toContain("[~admin]");
  });
});
