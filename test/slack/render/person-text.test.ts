import type { KnownBlock, View } from "@slack/types";
import type { WebClient } from "@slack/web-api";
import { describe, expect, it } from "vitest";
import { applyEvent } from "../../../src/core/run/apply-event.js";
import { remindersFor } from "../../../src/core/run/reminders.js";
import type { Run, RunEvent } from "../../../src/core/run/run-schema.js";
import { listChecklists, statusOfRuns } from "../../../src/slack/commands/replies.js";
import {
  escapeMrkdwn,
  markdownToMrkdwn,
  mention,
  neutralizeMrkdwn,
} from "../../../src/slack/render/mrkdwn.js";
import { renderRunMessage } from "../../../src/slack/render/run-message.js";
import {
  handledReminderMessage,
  reminderMessage,
  windowAnnouncement,
  windowStartMessage,
} from "../../../src/slack/render/timer-messages.js";
import { privateText } from "../../../src/slack/reply.js";
import { startParametersModal } from "../../../src/slack/views/start-parameters.js";
import { checklistFromYaml, minutesAfter, newRun, T0 } from "../../support/checklist-fixtures.js";
import { expectWithinSlackLimits } from "../../support/slack-limits.js";

/**
 * Every trick a person could type, or carry in a parameter, to make Preflight mention, link or
 * format something: each must reach Slack as text, wherever it lands.
 */
const TRICKS: [string, string][] = [
  ["@channel", "<!channel>"],
  ["@here", "<!here>"],
  ["@everyone", "<!everyone>"],
  ["a user group", "<!subteam^S123>"],
  ["a user group with a label", "<!subteam^S123|@oncall>"],
  ["a user", "<@U123>"],
  ["a channel", "<#C123|general>"],
  ["a Markdown link to a special target", "[x](!channel)"],
  ["a disguised Markdown link", "[login](https://evil.example/p)"],
  ["a Slack link", "<https://evil.example|x>"],
  ["a link inside angle brackets", "[x](<!channel>)"],
  ["escaped backslashes around a link", "\\[x\\](!channel)"],
  ["an entity, to be shown as typed", "&lt;!channel&gt;"],
  ["control and direction characters", "a\u0000b\u0007c\u202Ed\u2066e<\u0000!channel>"],
  ["formatting and code", "*bold* _it_ ~x~ `code` ```fence``` # heading"],
  ["a private-use marker", "\uE001" + "0\uE002 \uE0030\uE004"],
  ["a very long string", `${"<!channel> ".repeat(300)}end`],
];

const OWNER = "U_ALICE";
const BUDDY = "U_BOB";
const AUTHOR_LINK = "<https://wiki.example.com/runbook|the runbook>";
const PERMALINK = "https://example.slack.com/archives/C_OPS/p1700000000000100";

/** The markup Preflight itself made in these messages; anything else in angle brackets came from a person. */
const OURS = [
  mention(OWNER),
  mention(BUDDY),
  AUTHOR_LINK,
  `<${PERMALINK}|open>`,
  `<${PERMALINK}|run run-1>`,
  `<https://status.example.com/page|Status page>`,
];

/** What is left of `text` after Preflight's own markup: it must contain no `<` or `>` at all. */
function personMarkup(text: string): string[] {
  let rest = text
    .replace(/<!date\^\d+\^[^|<>]+\|[^<>]+>/g, "")
    // The author's link with a value inside its URL: encoded, it stays on the author's site.
    .replace(/<https:\/\/wiki\.example\.com\/[^\s<>|]*\|[^<>|]*>/g, "");
  for (const ours of OURS) rest = rest.replaceAll(ours, "");
  return rest.match(/<[^>]{0,40}>?|>/g) ?? [];
}

/** Every mrkdwn string of a payload: the top-level text (what notifications show) and the blocks. */
function mrkdwnOf(payload: { text?: string; blocks?: KnownBlock[] } | View): string[] {
  const texts: string[] = [];
  if ("text" in payload && typeof payload.text === "string") texts.push(payload.text);
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value !== null && typeof value === "object") {
      const node = value as { type?: unknown; text?: unknown };
      if (node.type === "mrkdwn" && typeof node.text === "string") texts.push(node.text);
      for (const item of Object.values(value)) visit(item);
    }
  };
  visit(payload.blocks);
  return texts;
}

function expectOnlyOurMarkup(texts: string[]) {
  for (const text of texts) expect(personMarkup(text), text.slice(0, 300)).toEqual([]);
}

const YAML = `
id: person-text
title: Person text
summary: Parameters everywhere
parameters:
  value: { type: string }
  page: { type: url, default: "https://status.example.com/page" }
phases:
  - id: only
    title: Phase of {{value}}
    steps:
      - id: first
        title: Step for {{value}}
        details: |
          # Check {{value}}
          - **{{value}}** is in [the runbook](https://wiki.example.com/runbook) and \`{{value}}\`
          {{value}}
          \`\`\`
          echo {{value}}
          \`\`\`
        expect: "{{value}} answers"
        rollback: "Undo {{value}}"
        commands: ["mysql -e '{{value}}'"]
        links: [{ label: Status page, url: "{{page}}" }, { label: "{{value}}", url: "https://wiki.example.com/{{value}}" }]
      - id: second
        title: Second
reminders:
  - id: later
    on: run.started
    after: 1d
    text: "Delete {{value}}"
`;

function runWith(value: string): Run {
  return newRun({ params: { value }, owner: OWNER, buddy: BUDDY }, YAML);
}

function play(run: Run, events: RunEvent[]): Run {
  return events.reduce((current, event, i) => {
    const decision = applyEvent(current, event, minutesAfter(T0, i + 1));
    if (!decision.accepted) throw new Error(`${event.type} refused: ${decision.refusal.message}`);
    return decision.run;
  }, run);
}

describe.each(TRICKS)("%s reaches Slack as text", (_name, trick) => {
  it("in the run message: parameters in titles, details, code, links; notes, problems, skip and abort reasons", () => {
    const started = runWith(trick);
    const worked = play(started, [
      { type: "report_problem", text: trick, stepId: "first", by: BUDDY },
      { type: "add_note", text: trick, source: "button", by: BUDDY },
      { type: "skip_step", stepId: "first", reason: trick, by: OWNER },
    ]);
    const aborted = play(worked, [{ type: "abort", reason: trick, by: OWNER }]);
    for (const run of [started, worked, aborted]) {
      const message = renderRunMessage(run, minutesAfter(T0, 10));
      expectWithinSlackLimits(message);
      expectOnlyOurMarkup(mrkdwnOf(message));
    }
  });

  it("in a reminder, its notification text, and the copy kept when someone clicks Done", () => {
    const [reminder] = remindersFor(runWith(trick), { on: "run.started" }, T0);
    if (!reminder) throw new Error("no reminder scheduled");
    const message = reminderMessage(reminder, PERMALINK);
    expectOnlyOurMarkup(mrkdwnOf(message));
    // Done copies the message's text as the click carried it: a forged one is neutralized too.
    for (const original of [message.text, `⏰ Reminder: Delete ${trick}`]) {
      expectOnlyOurMarkup(mrkdwnOf(handledReminderMessage(original, `✅ Done: ${mention(OWNER)}`)));
    }
  });

  it("in /maintenance status and private replies quoting what was typed", async () => {
    const client = {
      chat: { getPermalink: async () => ({ ok: true, permalink: PERMALINK }) },
    } as unknown as WebClient;
    const refs = {
      get: async () => ({ channel: "C_OPS", ts: "1700000000.000100" }),
      save: async () => {},
      runOfThread: async () => undefined,
    };
    const log = { info: () => {}, warn: () => {}, error: () => {} };
    const run = { ...runWith(trick), environment: trick };
    const status = await statusOfRuns(client, refs, [run], log);
    expect(status).toContain(`<${PERMALINK}|open>`);
    expectOnlyOurMarkup([privateText(status)]);
    // A refusal worded by the engine quotes what was typed beside its own mentions. The one form
    // kept is a bare user mention the person typed themselves: an ephemeral reply notifies no one.
    const refusal = privateText(`value=${trick} is not allowed: only ${mention(OWNER)} may start`);
    expect(personMarkup(refusal).filter((markup) => !/^<@U123>$/.test(markup))).toEqual([]);
    expect(privateText(`only ${mention(OWNER)} may start`)).toBe(`only ${mention(OWNER)} may start`);
  });

  it("in the start form and the checklist list", () => {
    const checklist = checklistFromYaml(
      YAML.replace(
        "summary: Parameters everywhere",
        `summary: "${
          trick
            .replace(/[\\"]/g, "")
            .replace(/\p{Cc}/gu, "")
            .slice(0, 300) || "x"
        }"`,
      ),
    );
    const view = startParametersModal(checklist, ["value"], {
      k: "person-text",
      c: "C_OPS",
      g: { page: trick },
      d: false,
      h: "hash",
    });
    if (view) expectOnlyOurMarkup(mrkdwnOf(view));
    expectOnlyOurMarkup([listChecklists([{ checklist, source: { hash: "x" } } as never])]);
  });

  it("in a scheduled window's announcement and start message", () => {
    const window = {
      id: "w-1",
      checklistId: "person-text",
      title: trick,
      params: { value: trick },
      channel: "C_OPS",
      owner: OWNER,
      dryRun: false,
      startsAt: "2026-11-21T22:00:00.000Z",
      status: "scheduled" as const,
      createdAt: T0.toISOString(),
    };
    expectOnlyOurMarkup([windowAnnouncement(window, [3_600_000])]);
    expectOnlyOurMarkup(mrkdwnOf(windowStartMessage(window)));
  });
});

describe("links and mentions are Preflight's", () => {
  it("an author's link becomes a link only to https, http or mailto", () => {
    expect(
      markdownToMrkdwn("[a](https://x.example/p) [b](http://x.example) [c](mailto:ops@example.com)"),
    ).toBe("<https://x.example/p|a> <http://x.example|b> <mailto:ops@example.com|c>");
    for (const target of [
      "!channel",
      "!here",
      "@U123",
      "#C123",
      "javascript:alert(1)",
      "ftp://x.example",
      "!subteam^S1",
    ])
      expect(markdownToMrkdwn(`[x](${target})`)).toBe(`[x](${escapeMrkdwn(target)})`);
  });

  it("a parameter keeps the author's formatting around it and adds none of its own", () => {
    const run = runWith("[login](https://evil.example/p) **now**");
    const details = run.plan.phases[0]?.steps[0]?.details ?? "";
    const slack = markdownToMrkdwn(details);
    expect(slack).toContain("• *[login](https://evil.example/p) **now***");
    expect(slack).toContain("<https://wiki.example.com/runbook|the runbook>");
    expect(slack).toContain("`[login](https://evil.example/p) **now**`");
    expect(slack).not.toContain("<https://evil");
  });

  it("a backtick in a parameter cannot close the author's code span", () => {
    const run = runWith("` [x](https://evil.example) `");
    const slack = markdownToMrkdwn(run.plan.phases[0]?.steps[0]?.details ?? "");
    expect(slack).not.toContain("<https://evil");
  });

  it("a mention is made only from a user id", () => {
    expect(mention("U024BE7LH")).toBe("<@U024BE7LH>");
    expect(mention("!channel")).toBe("!channel");
    expect(mention("U1> <!channel")).toBe("U1&gt; &lt;!channel");
  });

  it("text Slack gave back stays as it was; anything that is not Preflight's markup is escaped, once", () => {
    const stored = "⏰ Reminder: Delete &lt;!channel&gt; &amp; more";
    expect(neutralizeMrkdwn(stored)).toBe(stored);
    expect(neutralizeMrkdwn("<!channel> <@U1X> <https://evil|x>")).toBe(
      "&lt;!channel&gt; <@U1X> &lt;https://evil|x&gt;",
    );
  });

  it("a date Preflight draws stays; a date carrying a link (Slack's optional ^link) is text", () => {
    const date = "<!date^1700000000^{date_short} {time}|2023-11-14 22:13 UTC>";
    expect(neutralizeMrkdwn(date)).toBe(date);
    expect(neutralizeMrkdwn("<!date^1700000000^{date_short}^https://evil.example/sso|Re-authenticate>")).toBe(
      "&lt;!date^1700000000^{date_short}^https://evil.example/sso|Re-authenticate&gt;",
    );
  });

  it("an entity typed by a person is shown as typed, not as the character it names", () => {
    expect(escapeMrkdwn("&lt;!channel&gt;")).toBe("&amp;lt;!channel&amp;gt;");
  });

  it("control and direction characters are dropped", () => {
    expect(escapeMrkdwn("a\u0000b\u0007c\u202Ed\ne\tf")).toBe("abcd\ne\tf");
  });

  it("a parameter may be a link target only when declared type: url, and then only to http(s)", () => {
    const problems = () => checklistFromYaml(YAML.replace("page: { type: url,", "page: { type: string,"));
    expect(problems).toThrow("declare page with type: url");
    expect(() => newRun({ params: { value: "v", page: "javascript:alert(1)" } }, YAML)).toThrow(
      "page=javascript:alert(1) is not a link: give an http(s) URL",
    );
  });
});
