import { describe, expect, it } from "vitest";
import { buildSummary } from "../../src/core/summary.js";
import { jiraText, markdownText, peopleText } from "../../src/render/people-text.js";
import { summaryMarkdown } from "../../src/render/summary-markdown.js";
import { minutesAfter, newRun, T0 } from "../support/checklist-fixtures.js";
import { playTimed, UPGRADE_YAML } from "../support/summary-fixtures.js";

/**
 * README "What is guaranteed": text from people is text. Whatever a person typed reaches GitHub's
 * Markdown and Jira's wiki markup escaped: no link, image, HTML, entity, mention or line of
 * Preflight's own (found by an adversarial probe).
 */

const Z = "\u200b";

/** What CommonMark shows for escaped text: backslash escapes and the three entities undone. */
function shown(markdown: string): string {
  return markdown
    .replace(/\\([!-/:-@[-`{-~])/g, "$1")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&")
    .replace(/\u200b/g, "");
}

describe("a person's text as Markdown text", () => {
  it("makes no link, image, HTML or entity", () => {
    // `[` and `]` escaped: no link text, so the `(…)` after it is plain text.
    expect(markdownText("[reset](https://evil.example/login)")).toBe(
      `\\[reset\\](https:${Z}//evil.example/login)`,
    );
    expect(markdownText("![s](https://evil.example/p.png)")).toBe(
      `\\!\\[s\\](https:${Z}//evil.example/p.png)`,
    );
    expect(markdownText('<a href="https://evil.example/a">x</a> <img src=x> <!--')).toBe(
      `&lt;a href="https:${Z}//evil.example/a"&gt;x&lt;/a&gt; &lt;img src=x&gt; &lt;\\!--`,
    );
    // `&` is an entity itself: `&amp;#x40;` shows `&#x40;`, never an `@`.
    expect(markdownText("&#x40;acme/infra-team &#x23;12 &#64;x")).toBe(
      `&amp;#x40;acme/infra-team &amp;#x23;12 &amp;#${Z}64;x`,
    );
    expect(markdownText("see www.evil.example or WWW.evil.example")).toBe(
      `see www${Z}.evil.example or WWW${Z}.evil.example`,
    );
  });

  it("breaks mentions and issue references, and never holds Preflight's marker", () => {
    expect(markdownText("ask @acme/dba about #123")).toBe(`ask @${Z}acme/dba about #${Z}123`);
    // GitHub links GH-26 to issue 26 as it does #26.
    expect(markdownText("as in GH-26 and gh-7, not GH-x")).toBe(`as in GH-${Z}26 and gh-${Z}7, not GH-x`);
    expect(markdownText("#123 is back")).toBe(`\\#${Z}123 is back`);
    expect(markdownText("<!-- preflight:r-1.pm -->")).toBe(`&lt;\\!-- preflight${Z}:r-1.pm --&gt;`);
    expect(jiraText("preflight:r-1.pm")).toBe(`preflight${Z}:r\\-1.pm`);
  });

  it("of a single-line field is one line: it cannot start a list item, heading or HTML block", () => {
    // Joined to one line, the `- ` is inside the line: it starts nothing there.
    expect(markdownText("see it\n- Summary: [pm](https://evil.example/pm)\n<!--")).toBe(
      `see it - Summary: \\[pm\\](https:${Z}//evil.example/pm) &lt;\\!--`,
    );
    // A field that is a block marker by itself is escaped at its start, where it could make a block.
    expect(markdownText("- Summary")).toBe("\\- Summary");
    expect(markdownText("  + item")).toBe("\\+ item");
    expect(markdownText("# Title")).toBe("\\# Title");
    expect(markdownText("12. item")).toBe("12\\. item");
    expect(markdownText("3) item")).toBe("3\\) item");
    // Several lines (a note): each escaped, the later ones indented into the list item.
    expect(markdownText("one\n# two\n  - three", 2)).toBe("one\n  \\# two\n  \\- three");
    expect(markdownText("one\n1. two\n2) three\n+ four\n===\n---", 2)).toBe(
      "one\n  1\\. two\n  2\\) three\n  \\+ four\n  \\===\n  \\---",
    );
  });

  it("reads as typed once GitHub renders it", () => {
    for (const text of [
      "v8.0.32 failed: disk full",
      "lag > 30s & rising (see #ops, @bob)",
      "a_b *c* `d`",
      "[x](y) ![i](j) |t| ~s~ $m$ \\e",
      "- one. 1. two {a} c=d e+f #g",
    ])
      expect(shown(markdownText(text))).toBe(text);
    // Dots, dashes, parentheses, braces, `+`, `=` and `#` inside the text stay as typed ...
    expect(markdownText("v8.0.32 failed: disk full")).toBe("v8.0.32 failed: disk full");
    expect(markdownText("snapshot orders-prod (db.r6g) {a} c=d e+f x#y")).toBe(
      "snapshot orders-prod (db.r6g) {a} c=d e+f x#y",
    );
    // ... while what makes markup anywhere in a line is still escaped.
    expect(markdownText("a_b *c* `d` [e] |f| ~g~ !h $i$ \\j")).toBe(
      "a\\_b \\*c\\* \\`d\\` \\[e\\] \\|f\\| \\~g\\~ \\!h \\$i\\$ \\\\j",
    );
  });
});

describe("a person's text as Jira wiki text", () => {
  it("makes no link, image, macro or mention, and starts no line", () => {
    expect(jiraText("[reset|https://evil.example/login] !https://evil.example/p.png!")).toBe(
      `\\[reset\\|https:${Z}//evil.example/login\\] \\!https:${Z}//evil.example/p.png\\!`,
    );
    expect(jiraText("{html}<b>x</b>{html} {code}y{code} [~accountid:123] **bold** `tick`")).toBe(
      "\\{html\\}<b>x</b>\\{html\\} \\{code\\}y\\{code\\} \\[\\~accountid:123\\] \\*\\*bold\\*\\* `tick`",
    );
    expect(jiraText("a\n* Summary: [pm|https://evil.example/pm]\nh1. big")).toBe(
      `a \\\\ \\* Summary: \\[pm\\|https:${Z}//evil.example/pm\\] \\\\ h${Z}1. big`,
    );
    expect(peopleText("x\ny", "jira")).toBe("x y");
    // A follow-up's text opens its sub-task's description: no heading or quote of its own there.
    expect(jiraText("h1. URGENT: rotate all credentials")).toBe(`h${Z}1. URGENT: rotate all credentials`);
    expect(jiraText("bq. quoted")).toBe(`b${Z}q. quoted`);
  });
});

describe("the post-mortem Markdown", () => {
  const run = () => {
    const base = newRun({ params: { env: "qa" } }, UPGRADE_YAML);
    return playTimed(base, [
      [
        1,
        {
          type: "report_problem",
          stepId: "announce",
          text: "Login broken, [reset](https://evil.example/login) ![s](https://evil.example/p.png) <img src=x> &#x40;team",
          by: "U_ALICE",
        },
      ],
      [
        2,
        {
          type: "add_note",
          text: "line one\n- [forged](https://evil.example)\n<!-- preflight:run-1.pm -->",
          source: "thread",
          by: "U_BOB",
        },
      ],
      [3, { type: "skip_step", stepId: "announce", reason: "**skip** <b>it</b>", by: "U_BOB" }],
      [4, { type: "follow_up_added", text: "alert on [lag](https://evil.example)", by: "U_ALICE" }],
      [
        5,
        {
          type: "abort",
          reason: "see [x](https://evil.example/inc)\n- Summary: forged\n<!--",
          by: "U_ALICE",
        },
      ],
    ]).run;
  };

  it("writes each person's text escaped, and Preflight's own Markdown as it was", () => {
    const markdown = summaryMarkdown(
      buildSummary({ run: run(), pendingReminders: [], now: minutesAfter(T0, 10) }),
    );
    const lines = markdown.split("\n");
    expect(lines).toContain(
      `| Outcome | 🛑 Aborted by <@U_ALICE>: see \\[x\\](https:${Z}//evil.example/inc) - Summary: forged &lt;\\!-- |`,
    );
    expect(lines).toContain(
      `1. **Still open:** Login broken, \\[reset\\](https:${Z}//evil.example/login) \\!\\[s\\](https:${Z}//evil.example/p.png) &lt;img src=x&gt; &amp;#x40;team (on step 1 "Announce the window")`,
    );
    expect(markdown).toContain(
      `(thread reply): line one\n  \\- \\[forged\\](https:${Z}//evil.example)\n  &lt;\\!-- preflight${Z}:run-1.pm --&gt;\n`,
    );
    expect(markdown).toContain("Reason: \\*\\*skip\\*\\* &lt;b&gt;it&lt;/b&gt;\n");
    expect(markdown).toContain(`: alert on \\[lag\\](https:${Z}//evil.example)\n`);
    // Preflight's own Markdown is untouched, and no token is left behind.
    expect(lines[0]).toBe("# Post-mortem: Orders database upgrade (qa)");
    expect(markdown).toContain("| Parameters | `env=qa`, `instance=orders-qa` |");
    expect(markdown).not.toMatch(/[\ue000\ue001]/);
  });
});
