import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { CHANNEL, type Harness, SIGNING_SECRET, startHarness } from "../support/bot-harness.js";
import { sendInteraction, viewSubmissionPayload } from "../support/slack-requests.js";

const ALICE = "UALICE";
const BOB = "UBOB";

const CHECKLIST = `
id: count-tables
title: Count tables
summary: A count written down by hand, shown to the verifier
phases:
  - id: only
    title: Only
    steps:
      - id: count
        title: Count the tables in invoicing
        verify: true
        record:
          tables: { type: integer, label: Tables in invoicing }
      - id: after
        title: Tables were {{steps.count.tables}}
`;

let h: Harness;
afterEach(async () => {
  await h.stop();
});

describe("values recorded when a manual step is completed", () => {
  it("Done… opens a modal; a word where a number belongs stays in the modal; the verifier sees the value", async () => {
    const dir = await mkdtemp(join(tmpdir(), "preflight-record-"));
    await writeFile(join(dir, "count-tables.yaml"), CHECKLIST);
    h = await startHarness({ checklistsDir: dir });
    await h.command(`start count-tables buddy=<@${BOB}|bob>`, ALICE);
    await h.slack.waitFor(() => h.slack.messages(CHANNEL)[0]);
    await h.settle();

    const done = h.button("step_record", "count");
    expect(done.text).toBe("Done…");
    await h.click(done, ALICE);
    const opened = await h.slack.waitFor(() => h.slack.callsTo("views.open")[0]);
    const view = opened.args.view as { callback_id: string; private_metadata: string; blocks: unknown[] };
    expect(JSON.stringify(view.blocks)).toContain("Tables in invoicing");
    const submit = (value: string) =>
      sendInteraction(
        h.url,
        SIGNING_SECRET,
        viewSubmissionPayload({
          userId: ALICE,
          callbackId: view.callback_id,
          privateMetadata: view.private_metadata,
          values: { record_tables: { value: { type: "plain_text_input", value } } },
        }),
      );

    const wrong = await submit("a dozen");
    expect(wrong.json).toEqual({
      response_action: "errors",
      errors: { record_tables: 'Tables in invoicing must be a whole number such as 42 (got "a dozen")' },
    });
    expect((await h.run()).steps[0]?.status).toBe("pending");

    expect((await submit("12")).status).toBe(200);
    await h.settle();
    const run = await h.run();
    expect(run.steps[0]).toMatchObject({ status: "awaiting_verification", results: { tables: "12" } });
    expect(h.messageText()).toContain("waiting for a teammate to verify · tables=12");
    expect(h.buttons().map((b) => b.actionId)).toContain("step_verify");
  });
});
