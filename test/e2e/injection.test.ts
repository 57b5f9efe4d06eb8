import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACTION_IDS } from "../../src/slack/ids.js";
import { CHANNEL, type Harness, startHarness } from "../support/bot-harness.js";

/** Finding 1 over the wire: what a person typed reaches Slack as text, wherever it lands. */

const ALICE = "UALICE";
const BROADCASTS = /<!(channel|here|everyone|subteam)|<@U123|<https:\/\/evil/;

/** The texts Slack reads as mrkdwn: a message's top-level text and every mrkdwn text object. */
function mrkdwn(...payloads: unknown[]): string {
  const texts: string[] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(visit);
    else if (value !== null && typeof value === "object") {
      const node = value as { type?: unknown; text?: unknown };
      if (node.type === "mrkdwn" && typeof node.text === "string") texts.push(node.text);
      Object.values(value).forEach(visit);
    }
  };
  for (const payload of payloads) {
    const { text } = (payload ?? {}) as { text?: unknown };
    if (typeof text === "string") texts.push(text);
    visit(payload);
  }
  return texts.join("\n");
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => h.stop());

describe("a run started with tricks in its parameters", () => {
  it("shows them as text in the run message, the status reply and the Resolve form", async () => {
    const started = await h.command(
      "start maintenance-window system=<!channel> status_page=https://status.example.com window=[x](!channel)<!here>[login](https://evil.example/p)<@U123>",
      ALICE,
    );
    expect(started.status).toBe(200);
    const message = await h.slack.waitFor(() => h.slack.messages(CHANNEL)[0]);
    await h.settle();
    const posted = mrkdwn(message, h.runMessage());
    expect(posted).not.toMatch(BROADCASTS);
    expect(posted).toContain("&lt;!channel&gt;");

    await h.command("status", ALICE);
    const status = await h.slack.waitFor(() =>
      h.ephemeralsTo(ALICE).find((text) => text.includes("Active runs")),
    );
    expect(status).not.toMatch(BROADCASTS);

    await h.click(h.button(ACTION_IDS.reportProblem), ALICE);
    await h.submitLastModal(ALICE, "<!subteam^S123> is down, see [login](https://evil.example/p)");
    await h.settle();
    await h.click(h.button(ACTION_IDS.resolveProblem), ALICE);
    const opened = await h.slack.waitFor(() =>
      h.slack
        .callsTo("views.open")
        .find((call) => JSON.stringify(call.args.view).includes("resolve_problem_modal")),
    );
    const form = mrkdwn(opened.args.view);
    expect(form).toContain("&lt;!subteam^S123&gt;");
    expect(form).not.toMatch(BROADCASTS);
    expect(mrkdwn(...h.slack.messages(CHANNEL), ...h.slack.thread(CHANNEL, h.runMessage().ts))).not.toMatch(
      BROADCASTS,
    );
  });
});
