import { describe, expect, it } from "vitest";
import { buildSummary } from "../../src/core/summary.js";
import { summaryMarkdown } from "../../src/render/summary-markdown.js";
import { type RenderContext, renderBlocks, type VNode } from "../../src/sandbox/public/blocks.js";
import { markdown } from "../../src/sandbox/public/markdown.js";
import { mrkdwn } from "../../src/sandbox/public/mrkdwn.js";
import { findAll, textContent } from "../../src/sandbox/public/vnode.js";
import { renderRunMessage } from "../../src/slack/render/run-message.js";
import { summaryMessage } from "../../src/slack/render/summary-message.js";
import { reasonModal } from "../../src/slack/views/reason-modal.js";
import { REASON_FLOWS } from "../../src/slack/views/reason-modals.js";
import { startParametersModal } from "../../src/slack/views/start-parameters.js";
import { checklistFromYaml, newRun, T0 } from "../support/checklist-fixtures.js";
import { abortedRunInput, UPGRADE_YAML } from "../support/summary-fixtures.js";

const ctx: RenderContext = {
  people: [
    { id: "U_ALICE", name: "alice" },
    { id: "U_BOB", name: "bob" },
  ],
  channels: [{ id: "C_OPS", name: "ops" }],
};

const byTag = (node: VNode, tag: string) => findAll(node, (n) => n.tag === tag);
const placeholders = (node: VNode) => findAll(node, (n) => n.attrs.class === "placeholder");
/** Buttons by the name a person (and a screen reader) sees. */
const buttonNames = (node: VNode) => byTag(node, "button").map(textContent);

describe("the sandbox page draws the blocks Preflight sends", () => {
  it("a run message: header, step text, mentions by name, every button named by its text and clickable", () => {
    const message = renderRunMessage(newRun(), T0);
    const page = renderBlocks(message.blocks, ctx);

    expect(placeholders(page)).toEqual([]);
    expect(byTag(page, "h3").map(textContent)).toEqual([
      (message.blocks[0] as { text: { text: string } }).text.text,
    ]);
    expect(textContent(page)).toContain("@alice");
    expect(textContent(page)).not.toContain("<@U_ALICE>");
    const drawn = byTag(page, "button");
    const sent = message.blocks.flatMap((b) =>
      b.type === "actions" ? b.elements.filter((e) => e.type === "button") : [],
    );
    expect(drawn.map(textContent)).toEqual(sent.map((b) => (b as { text: { text: string } }).text.text));
    expect(drawn.every((b) => b.act?.actionId)).toBe(true);
    expect(buttonNames(page)).toContain("Start");
  });

  it("a post-mortem summary message draws without placeholders, its follow-up button included", () => {
    const summary = buildSummary(abortedRunInput());
    const message = summaryMessage(summary, { runId: "run-1", followUpButton: true });
    const page = renderBlocks(message.blocks, ctx);
    expect(placeholders(page)).toEqual([]);
    expect(byTag(page, "button").length).toBeGreaterThan(0);
    expect(textContent(page)).toContain("Aborted");
  });

  it("a reason modal: the text box is labelled by the block's label and collected under its ids", () => {
    const flow = REASON_FLOWS[0];
    if (!flow) throw new Error("no reason flow");
    const view = reasonModal(flow.modal, { r: "run-1", s: "step-1", c: "C_OPS", v: 0 });
    const page = renderBlocks(view.blocks, ctx);
    const [label] = byTag(page, "label");
    const box = findAll(page, (n) => n.attrs["data-block"] === "text_block")[0];
    expect(label && textContent(label)).toContain(flow.modal.label);
    expect(box?.attrs["data-action-id"]).toBe("text_input");
    expect(label?.attrs.for).toBe(box?.attrs.id);
  });

  it("the start-parameters modal offers an enum parameter as a select with its values", () => {
    const checklist = checklistFromYaml(UPGRADE_YAML);
    const missing = Object.keys(checklist.parameters);
    const view = startParametersModal(checklist, missing, {
      k: checklist.id,
      c: "C_OPS",
      g: {},
      d: false,
      h: "hash",
    });
    if (!view) throw new Error("no modal");
    const page = renderBlocks(view.blocks, ctx);
    expect(placeholders(page)).toEqual([]);
    const selects = byTag(page, "select");
    const inputs = byTag(page, "input");
    expect(selects.length + inputs.length).toBe(missing.length);
  });

  it("users select, checkboxes, multi-line text, overflow, static select and confirm dialogs", () => {
    const blocks = [
      {
        type: "input",
        block_id: "buddy",
        label: { type: "plain_text", text: "Buddy" },
        element: { type: "users_select", action_id: "pick" },
      },
      {
        type: "input",
        block_id: "checks",
        label: { type: "plain_text", text: "Checks" },
        element: {
          type: "checkboxes",
          action_id: "boxes",
          options: [
            { text: { type: "plain_text", text: "Backups" }, value: "b" },
            { text: { type: "mrkdwn", text: "*Alerts*" }, value: "a" },
          ],
        },
      },
      {
        type: "input",
        block_id: "why",
        optional: true,
        label: { type: "plain_text", text: "Why" },
        element: { type: "plain_text_input", action_id: "t", multiline: true },
      },
      {
        type: "actions",
        elements: [
          {
            type: "button",
            action_id: "del",
            style: "danger",
            text: { type: "plain_text", text: "Delete snapshot" },
            confirm: {
              title: { type: "plain_text", text: "Delete it?" },
              text: { type: "mrkdwn", text: "This *cannot* be undone" },
              confirm: { type: "plain_text", text: "Delete" },
              deny: { type: "plain_text", text: "Keep" },
            },
          },
          {
            type: "overflow",
            action_id: "more",
            options: [{ text: { type: "plain_text", text: "Snooze" }, value: "s" }],
          },
          {
            type: "static_select",
            action_id: "env",
            placeholder: { type: "plain_text", text: "Environment" },
            options: [{ text: { type: "plain_text", text: "qa" }, value: "qa" }],
          },
        ],
      },
    ];
    const page = renderBlocks(blocks, ctx);
    const [users, overflow, envSelect] = byTag(page, "select");
    expect(users && byTag(users, "option").map(textContent)).toEqual(["Choose…", "alice", "bob"]);
    const boxes = findAll(page, (n) => n.attrs.type === "checkbox");
    expect(boxes.map((b) => b.attrs.value)).toEqual(["b", "a"]);
    expect(byTag(page, "textarea")).toHaveLength(1);
    expect(textContent(page)).toContain("(optional)");
    const [del] = byTag(page, "button");
    expect(del?.attrs.class).toBe("btn danger");
    expect(del?.act?.confirm).toEqual({
      title: "Delete it?",
      text: "This cannot be undone",
      confirm: "Delete",
      deny: "Keep",
      style: undefined,
    });
    expect(overflow?.attrs["aria-label"]).toBe("More actions");
    expect(overflow?.act?.actionId).toBe("more");
    expect(envSelect?.attrs["aria-label"]).toBe("Environment");
    expect(envSelect?.act?.blockId).toBe("b3");
  });

  it("a block or element it can't draw is a labelled placeholder, never dropped", () => {
    const page = renderBlocks([
      { type: "video", title: { type: "plain_text", text: "x" } },
      { type: "actions", elements: [{ type: "datepicker", action_id: "d" }] },
    ]);
    expect(placeholders(page).map((p) => p.attrs["aria-label"])).toEqual([
      "Unsupported block: video",
      "Unsupported element: datepicker",
    ]);
  });
});

describe("mrkdwn in the page", () => {
  const draw = (text: string) => mrkdwn(text, ctx);

  it("bold, italics, strike, code, code blocks, links, lists, quotes and mentions", () => {
    const page = draw(
      "*Done* _soon_ ~never~ `x=1` <https://example.com/a?b=1&amp;c=2|the console> <@U_BOB> <#C_OPS>\n• one\n• two\n> quoted\n```SELECT *\nFROM t```",
    );
    expect(byTag(page, "strong").map(textContent)).toEqual(["Done"]);
    expect(byTag(page, "em").map(textContent)).toEqual(["soon"]);
    expect(byTag(page, "del").map(textContent)).toEqual(["never"]);
    expect(byTag(page, "code").map(textContent)).toEqual(["x=1", "SELECT *\nFROM t"]);
    expect(byTag(page, "a").map((a) => [a.attrs.href, textContent(a)])).toEqual([
      ["https://example.com/a?b=1&c=2", "the console"],
    ]);
    expect(byTag(page, "li").map(textContent)).toEqual(["one", "two"]);
    expect(byTag(page, "blockquote").map(textContent)).toEqual(["quoted"]);
    expect(textContent(page)).toContain("@bob");
    expect(textContent(page)).toContain("#ops");
  });

  it("dates are shown in the reader's time zone, the fallback only when the token is broken", () => {
    const token = "<!date^1795937400^{date_num} {time}|2026-11-29T07:30:00Z>";
    expect(textContent(mrkdwn(token, { tz: "Asia/Tokyo" }))).toBe("29/11/2026 16:30");
    expect(textContent(mrkdwn(token, { tz: "America/New_York" }))).toBe("29/11/2026 02:30");
    expect(textContent(mrkdwn("<!date^never^{time}|soon>", {}))).toBe("soon");
  });

  it("snake_case and arithmetic stay text", () => {
    expect(byTag(draw("a_b_c and 2*3*4"), "em")).toEqual([]);
    expect(byTag(draw("2*3*4"), "strong")).toEqual([]);
  });

  it("text people typed stays text: escaped markup is decoded to characters, unsafe links are not links", () => {
    const page = draw("&lt;img src=x onerror=alert(1)&gt; <javascript:alert(1)|click>");
    expect(findAll(page, (n) => n.tag === "img" || n.tag === "a")).toEqual([]);
    expect(textContent(page)).toBe("<img src=x onerror=alert(1)> click");
  });
});

describe("the post-mortem Markdown file in the page", () => {
  it("draws its headings, tables and lists with the people's names", () => {
    const file = summaryMarkdown(buildSummary(abortedRunInput()));
    const page = markdown(file, { people: [{ id: "U_ALICE", name: "alice" }] });
    expect(byTag(page, "h3").map(textContent)[0]).toMatch(/^Post-mortem: /);
    expect(byTag(page, "table").length).toBeGreaterThanOrEqual(2);
    expect(byTag(page, "th").map(textContent)).toContain("Step");
    expect(textContent(page)).toContain("@alice");
    expect(textContent(page)).not.toContain("| --- |");
  });
});
