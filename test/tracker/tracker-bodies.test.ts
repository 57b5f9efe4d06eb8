import { describe, expect, it } from "vitest";
import { endComment, followUpBody, postMortemBody } from "../../src/tracker/tracker-bodies.js";
import { minutesAfter, newRun, T0 } from "../support/checklist-fixtures.js";
import { playTimed, UPGRADE_YAML } from "../support/summary-fixtures.js";

/**
 * What Preflight sends to GitHub and Jira: a person's text is text there, on one line where it
 * joins a line of Preflight's (found by an adversarial probe: links, images, HTML, entities and a
 * forged "Summary" line reached the issues raw).
 */

const Z = "\u200b";
const REASON = "see [x](https://evil.example/inc)\n- Summary: [post-mortem](https://evil.example/pm)\n<!--";
const JIRA_REASON = "see [x|https://evil.example/inc]\n* Summary: [post-mortem|https://evil.example/pm]";
const PROBLEM =
  "Login broken, [reset](https://evil.example/login) ![s](https://evil.example/p.png) <img src=x> &#x40;team";
const JIRA_PROBLEM =
  "Login broken, [reset|https://evil.example/login] !https://evil.example/p.png! {html}<b>x</b>{html} [~accountid:1] **b** `c`";

function aborted(problem: string, reason: string) {
  const base = newRun({ params: { env: "qa" } }, UPGRADE_YAML);
  return playTimed(base, [
    [1, { type: "report_problem", stepId: "announce", text: problem, by: "U_ALICE" }],
    [
      2,
      {
        type: "add_note",
        text: "line one\npreflight:run-1.pm\n<!-- preflight:run-1.pm -->",
        source: "thread",
        by: "U_BOB",
      },
    ],
    [
      3,
      {
        type: "follow_up_added",
        text: "v8.0.32 failed: disk full, see [lag](https://evil.example)",
        by: "U_ALICE",
      },
    ],
    [4, { type: "abort", reason, by: "U_ALICE" }],
  ]).run;
}

const NOW = minutesAfter(T0, 10);

describe("the end comment on the ticket", () => {
  it("on GitHub: the abort reason is escaped Markdown on the Outcome line; Preflight's Summary link is the only link", () => {
    expect(endComment(aborted(PROBLEM, REASON), "github", "https://slack.example/run", NOW)).toBe(
      [
        "Preflight: Orders database upgrade ended.",
        "",
        // The reason's lines joined: its "- Summary" is inside the Outcome line, its `[…]` no link.
        `- Outcome: aborted: see \\[x\\](https:${Z}//evil.example/inc) - Summary: \\[post-mortem\\](https:${Z}//evil.example/pm) &lt;\\!--`,
        "- Total time: 4m",
        "- Downtime: none recorded",
        "- Summary: [post-mortem of run-1](https://slack.example/run)",
      ].join("\n"),
    );
  });

  it("on GitHub: the checklist title is escaped as text too (it can carry a parameter's value)", () => {
    const run = aborted(PROBLEM, REASON);
    const titled = {
      ...run,
      plan: { ...run.plan, title: "Snapshot orders-prod *now* | [x](https://evil.example) @team #12" },
    };
    const title = `Snapshot orders-prod \\*now\\* \\| \\[x\\](https:${Z}//evil.example) @${Z}team #${Z}12`;
    expect(endComment(titled, "github", "https://slack.example/run", NOW).split("\n")[0]).toBe(
      `Preflight: ${title} ended.`,
    );
    expect(followUpBody(titled, 0, "github", { ref: "acme/ops#2", url: "https://x" }).split("\n")[2]).toBe(
      `Written down by Slack user U_ALICE after run run-1 (${title}).`,
    );
  });

  it("on Jira: the abort reason is escaped wiki text on the Outcome line", () => {
    expect(endComment(aborted(JIRA_PROBLEM, JIRA_REASON), "jira", "https://slack.example/run", NOW)).toBe(
      [
        "Preflight: Orders database upgrade ended.",
        "",
        `- Outcome: aborted: see \\[x\\|https:${Z}//evil.example/inc\\] \\* Summary: \\[post\\-mortem\\|https:${Z}//evil.example/pm\\]`,
        "- Total time: 4m",
        "- Downtime: none recorded",
        "- Summary: [post-mortem of run-1|https://slack.example/run]",
      ].join("\n"),
    );
  });
});

describe("the post-mortem issue", () => {
  it("on GitHub: problems, notes, follow-ups and the abort reason are escaped; no line holds Preflight's marker", () => {
    const body = postMortemBody(aborted(PROBLEM, REASON), "github", NOW);
    const lines = body.split("\n");
    expect(lines).toContain(
      `1. **Still open:** Login broken, \\[reset\\](https:${Z}//evil.example/login) \\!\\[s\\](https:${Z}//evil.example/p.png) &lt;img src=x&gt; &amp;#x40;team (on step 1 "Announce the window")`,
    );
    expect(lines).toContain(
      `| Outcome | 🛑 Aborted by <@${Z}U_ALICE>: see \\[x\\](https:${Z}//evil.example/inc) - Summary: \\[post-mortem\\](https:${Z}//evil.example/pm) &lt;\\!-- |`,
    );
    expect(body).toContain(
      `(thread reply): line one\n  preflight${Z}:run-1.pm\n  &lt;\\!-- preflight${Z}:run-1.pm --&gt;\n`,
    );
    expect(lines).toContain(
      `- <@${Z}U_ALICE>, 2026-11-20 09:03 UTC: v8.0.32 failed: disk full, see \\[lag\\](https:${Z}//evil.example)`,
    );
    expect(body).not.toContain("<!-- preflight:");
    expect(lines[0]).toBe("# Post-mortem: Orders database upgrade (qa)");
  });

  it("on Jira: people's wiki markup is escaped, Preflight's headings and its own markup are converted", () => {
    const body = postMortemBody(aborted(JIRA_PROBLEM, JIRA_REASON), "jira", NOW);
    const lines = body.split("\n");
    expect(lines).toContain(
      `1. *Still open:* Login broken, \\[reset\\|https:${Z}//evil.example/login\\] \\!https:${Z}//evil.example/p.png\\! \\{html\\}<b>x</b>\\{html\\} \\[\\~accountid:1\\] \\*\\*b\\*\\* \`c\` (on step 1 "Announce the window")`,
    );
    expect(lines).toContain(
      `| Outcome | 🛑 Aborted by <@${Z}U_ALICE>: see \\[x\\|https:${Z}//evil.example/inc\\] \\\\ \\* Summary: \\[post\\-mortem\\|https:${Z}//evil.example/pm\\] |`,
    );
    // A note's lines are Jira line breaks (`\\`): none of them is a line of the description.
    expect(lines).toContain(
      `* 2026-11-20 09:02 UTC, <@${Z}U_BOB> (thread reply): line one \\\\ preflight${Z}:run\\-1.pm \\\\ <\\!\\-\\- preflight${Z}:run\\-1.pm \\-\\->`,
    );
    expect(lines.some((line) => line.trim().startsWith("preflight:"))).toBe(false);
    expect(lines[0]).toBe("h1. Post-mortem: Orders database upgrade (qa)");
    expect(lines).toContain("h2. Problems");
  });
});

describe("a follow-up's issue", () => {
  it("writes the person's text escaped, on one line", () => {
    const run = aborted(PROBLEM, REASON);
    expect(followUpBody(run, 0, "github", { ref: "acme/ops#2", url: "https://x" })).toBe(
      [
        `v8.0.32 failed: disk full, see \\[lag\\](https:${Z}//evil.example)`,
        "",
        "Written down by Slack user U_ALICE after run run-1 (Orders database upgrade).",
        "Post-mortem: acme/ops#2",
      ].join("\n"),
    );
    expect(followUpBody(run, 0, "jira", { ref: "OPS-2", url: "https://x" }).split("\n")[0]).toBe(
      `v8.0.32 failed: disk full, see \\[lag\\](https:${Z}//evil.example)`,
    );
  });
});
