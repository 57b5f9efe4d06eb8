import { describe, expect, it } from "vitest";
import {
  escapeMrkdwn,
  markdownToMrkdwn,
  mention,
  truncate,
  truncateMrkdwn,
} from "../../../src/slack/render/mrkdwn.js";

describe("escapeMrkdwn", () => {
  it("escapes the three characters Slack treats as control characters", () => {
    expect(escapeMrkdwn("a && b < c > d")).toBe("a &amp;&amp; b &lt; c &gt; d");
  });

  it("leaves everything else alone", () => {
    expect(escapeMrkdwn('*bold* _it_ `code` 100% "quoted"')).toBe('*bold* _it_ `code` 100% "quoted"');
  });
});

describe("markdownToMrkdwn", () => {
  it("converts bold, underscores, italics and strike-through", () => {
    expect(markdownToMrkdwn("**Stop** the __writer__, *carefully*, ~~not~~ now")).toBe(
      "*Stop* the _writer_, _carefully_, ~not~ now",
    );
  });

  it("turns links into Slack links and escapes what needs it", () => {
    expect(markdownToMrkdwn("See [the runbook](https://wiki.example.com/a?b=1&c=2) & <this>")).toBe(
      "See <https://wiki.example.com/a?b=1&amp;c=2|the runbook> &amp; &lt;this&gt;",
    );
  });

  it("does not touch underscores inside a link", () => {
    expect(markdownToMrkdwn("[db__main](https://x.example.com/db__main)")).toBe(
      "<https://x.example.com/db__main|db__main>",
    );
  });

  it("turns headings into bold lines and bullets into •", () => {
    expect(markdownToMrkdwn("# Before you start\n- check lag\n* check disk\n  - nested")).toBe(
      "*Before you start*\n• check lag\n• check disk\n  • nested",
    );
  });

  it("keeps inline code and fences as they are, escaped but not converted", () => {
    const markdown =
      'Run `SELECT **1** FROM t WHERE a < 2`:\n```\nmysql -e "**x**" && echo <ok>\n- not a bullet\n```\n**done**';
    expect(markdownToMrkdwn(markdown)).toBe(
      'Run `SELECT **1** FROM t WHERE a &lt; 2`:\n```\nmysql -e "**x**" &amp;&amp; echo &lt;ok&gt;\n- not a bullet\n```\n*done*',
    );
  });
});

describe("truncate", () => {
  it("returns short text unchanged", () => {
    expect(truncate("short", 10)).toBe("short");
  });

  it("never exceeds the maximum, suffix included", () => {
    const cut = truncate("a".repeat(100), 20);
    expect(cut).toHaveLength(20);
    expect(cut.endsWith("…")).toBe(true);
    expect(truncate("a".repeat(100), 30, "… (more)")).toBe(`${"a".repeat(22)}… (more)`);
  });

  it("does not cut inside a link when it can cut before it", () => {
    const text = `Read ${"<https://wiki.example.com/very/long/path|the runbook>"} first`;
    const cut = truncate(text, 30);
    expect(cut).toBe("Read…");
  });

  it("does not leave half an entity", () => {
    expect(truncate("a &amp; b", 5)).toBe("a…");
  });

  it("closes a code fence it cut open (truncateMrkdwn)", () => {
    const text = `Run:\n\`\`\`\n${"x".repeat(200)}\n\`\`\``;
    const cut = truncateMrkdwn(text, 60);
    expect(cut.length).toBeLessThanOrEqual(60);
    expect(cut.split("```").length - 1).toBe(2);
  });
});

describe("mention", () => {
  it("mentions a user by id", () => {
    expect(mention("U024BE7LH")).toBe("<@U024BE7LH>");
  });
});
