import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../support/bot-harness.js";

const ALICE = "UALICE";
const BOB = "UBOB";

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => h.stop());

async function startDbUpgrade() {
  expect((await h.command("start db-upgrade env=qa", ALICE)).status).toBe(200);
  await h.slack.waitFor(() => h.slack.messages("CINVOICING")[0]);
  await h.settle();
}

describe("/maintenance answers every command", () => {
  it("names the checklists there are when the checklist is unknown", async () => {
    const response = await h.command("start db-upgrad", ALICE);
    expect(response.json).toMatchObject({ response_type: "ephemeral" });
    expect((response.json as { text: string }).text).toContain(
      'There is no checklist "db-upgrad". Available: db-upgrade,',
    );
    expect(h.slack.callsTo("chat.postMessage")).toEqual([]);
  });

  it("names the allowed values of a bad parameter", async () => {
    const { text } = (await h.command("start db-upgrade env=production", ALICE)).json as { text: string };
    expect(text).toContain("env=production is not allowed: use one of qa, stage, prod");
    expect(text).toContain("`engine_version`");
  });

  it("explains wrong usage and lists the commands", async () => {
    const { text } = (await h.command("launch db-upgrade", ALICE)).json as { text: string };
    expect(text).toContain("I don't know `launch`");
    expect(text).toContain("`start &lt;checklist&gt;");
    const list = (await h.command("list", ALICE)).json as { text: string };
    expect(list.text).toContain("*db-upgrade*");
    expect(list.text).toContain("env=qa|stage|prod");
  });

  it("opens a form with selects for missing required parameters, and starts the run from it", async () => {
    expect((await h.command("start invoicingdb-change ticket=INV-42", ALICE)).status).toBe(200);
    const opened = await h.slack.waitFor(() => h.slack.callsTo("views.open")[0]);
    const view = opened.args.view as {
      callback_id: string;
      private_metadata: string;
      blocks: { block_id?: string; element?: { type: string; options?: { value: string }[] } }[];
    };
    const envInput = view.blocks.find((b) => b.block_id === "param_env");
    expect(envInput?.element?.type).toBe("static_select");
    expect(envInput?.element?.options?.map((o) => o.value)).toEqual(["qa", "stage", "prod"]);
    const { sendInteraction, viewSubmissionPayload } = await import("../support/slack-requests.js");
    const submit = await sendInteraction(
      h.url,
      "test-signing-secret",
      viewSubmissionPayload({
        userId: ALICE,
        callbackId: view.callback_id,
        privateMetadata: view.private_metadata,
        values: { param_env: { value: { type: "static_select", selected_option: { value: "qa" } } } },
      }),
    );
    expect(submit.status).toBe(200);
    await h.slack.waitFor(() => h.slack.messages("CINVOICING")[0]);
    expect((await h.run()).params).toMatchObject({ env: "qa", ticket: "INV-42" });
  });

  it("refuses prod before a finished qa or stage run, saying what is needed", async () => {
    await h.command("start db-upgrade env=prod ticket=OPS-1", ALICE);
    const text = await h.slack.waitFor(() => h.ephemeralsTo(ALICE)[0]);
    const version = h.bot.catalog.get("db-upgrade")?.hash;
    expect(text).toBe(
      `prod needs a finished qa or stage run of db-upgrade version ${version} within 30 days; there is no qa or stage run of db-upgrade yet. Run it in qa or stage first, then start prod. In an emergency, start it with override="reason": a teammate must approve it, and it is announced and listed first in the post-mortem.`,
    );
  });

  it("status lists the active runs with a link; abort needs the owner and a reason", async () => {
    await startDbUpgrade();
    const run = await h.run();
    await h.command("status", BOB);
    const status = await h.slack.waitFor(() => h.ephemeralsTo(BOB)[0]);
    expect(status).toContain(run.id);
    expect(status).toContain("https://example.slack.com/archives/");
    await h.command(`abort ${run.id} replica lag`, BOB);
    expect(await h.slack.waitFor(() => h.ephemeralsTo(BOB)[1])).toContain(
      "Only the run's owner <@UALICE> may abort it.",
    );
    await h.command(`abort ${run.id} replica lag too high`, ALICE);
    await expect.poll(async () => (await h.run()).status).toBe("aborted");
    await h.settle();
    expect(h.messageText()).toContain("replica lag too high");
  });
});

describe("under Slack's behaviour", () => {
  it("a click on an outdated message is explained privately, the message redrawn, nothing applied", async () => {
    await startDbUpgrade();
    const oldStart = h.button("step_start", "check-access");
    await h.click(h.button("step_complete", "check-access"), ALICE);
    await h.settle();
    expect((await h.click(oldStart, BOB)).status).toBe(200);
    await h.settle();
    expect(await h.slack.waitFor(() => h.ephemeralsTo(BOB)[0])).toContain("Someone else moved this run on");
    const run = await h.run();
    expect(run.steps[0]?.status).toBe("done");
    expect(run.history.filter((a) => a.type === "start_step")).toEqual([]);
  });

  it("a button whose value Preflight did not write is refused privately, nothing applied", async () => {
    await startDbUpgrade();
    const done = h.button("step_complete", "check-access");
    expect((await h.click({ ...done, value: "not json" }, BOB)).status).toBe(200);
    expect(await h.slack.waitFor(() => h.ephemeralsTo(BOB)[0])).toContain(
      "doesn't carry a run Preflight can read",
    );
    expect((await h.run()).version).toBe(0);
  });

  it("a double click applies once and refuses nothing", async () => {
    await startDbUpgrade();
    const done = h.button("step_complete", "check-access");
    const [first, second] = await Promise.all([h.click(done, ALICE), h.click(done, ALICE)]);
    expect([first.status, second.status]).toEqual([200, 200]);
    await h.settle();
    const run = await h.run();
    expect(run.history.filter((a) => a.type === "complete_step")).toHaveLength(1);
    expect(h.ephemeralsTo(ALICE)).toEqual([]);
  });

  it("a thread reply re-sent by Slack is recorded once", async () => {
    await startDbUpgrade();
    const ts = "1795000000.000200";
    await h.threadReply(BOB, "starting the window", ts);
    await h.threadReply(BOB, "starting the window", ts);
    await expect.poll(async () => (await h.run()).notes.length).toBe(1);
  });

  it("a rate-limited refresh (429 + Retry-After) converges to the latest state", async () => {
    await startDbUpgrade();
    // Slack keeps refusing (Retry-After 1 s) until the abort below has landed, however long a loaded
    // machine takes to apply it: the abort lands while every redraw waits, by construction.
    const retryAfterMs = 1_000;
    h.slack.rateLimitNext("chat.update", retryAfterMs / 1_000, Number.POSITIVE_INFINITY);
    await h.click(h.button("step_complete", "check-access"), ALICE);
    await h.slack.waitFor(() => h.slack.callsTo("chat.update").find((c) => c.status === 429));
    // While the refresher waits out Retry-After, the run moves on again.
    await h.command(`abort ${(await h.run()).id} maintenance window moved`, ALICE);
    await expect.poll(async () => (await h.run()).status).toBe("aborted");
    // The abort's own effects (the post-mortem) are carried out too: the state to draw is final.
    await expect.poll(() => h.bot.store.runsWithOutbox()).toEqual([]);
    h.slack.liftRateLimit("chat.update");
    // Converges within one more Retry-After, plus the usual wait for a redraw.
    await expect
      .poll(() => h.messageText(), { timeout: retryAfterMs + 10_000 })
      .toContain("maintenance window moved");
    await h.settle();
    expect(h.buttons()).toEqual([]);
    // The two changes were drawn together once the limit passed, not one update per change. (The
    // start's own redraw may land before the click: only what came from the first 429 on counts.)
    const all = h.slack.callsTo("chat.update");
    const updates = all.slice(all.findIndex((c) => c.status === 429));
    expect(updates.filter((c) => c.status === 200)).toHaveLength(1);
    // Every retry waited out the Retry-After of the 429 before it: a bound a busy machine only
    // lengthens (less a little for timers rounding; a retry that ignored it comes ~20 ms later).
    for (let i = 1; i < updates.length; i++) {
      const [before, after] = [updates[i - 1], updates[i]];
      if (before?.status === 429)
        expect((after?.at ?? 0) - before.at).toBeGreaterThanOrEqual(retryAfterMs - 100);
    }
  });

  it("acknowledges a click within Slack's 3 s while the Web API is slow, and keeps the change", async () => {
    await startDbUpgrade();
    h.slack.delayNext("chat.update", 4_000);
    const began = Date.now();
    const response = await h.click(h.button("step_complete", "check-access"), ALICE);
    expect(response.status).toBe(200);
    // Slack's own deadline, not a benchmark: Bolt answers 3001 ms later on its own if we don't.
    expect(Date.now() - began).toBeLessThan(3_000);
    expect((await h.run()).steps[0]?.status).toBe("done");
    // Anything the answer could have waited for was held until now: the redraw may answer.
    h.slack.endDelays();
    await h.settle();
  });

  it("a Web API error on refresh is logged with the run id and the state change is kept", async () => {
    await startDbUpgrade();
    h.slack.failNext("chat.update", "message_not_found", 3);
    await h.click(h.button("step_complete", "check-access"), ALICE);
    await h.settle();
    const run = await h.run();
    expect(run.steps[0]?.status).toBe("done");
    expect(h.logs).toContainEqual(
      expect.objectContaining({
        level: "error",
        message: "refreshing the run message failed",
        context: expect.objectContaining({ runId: run.id, error: "message_not_found" }),
      }),
    );
  });

  it("GET /healthz answers 200 while Redis does", async () => {
    const response = await fetch(h.url.replace("/slack/events", "/healthz"));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("ok\n");
  });
});

describe("checklists loaded at start", () => {
  it("an invalid file is reported by file and line and left out; the others still run", async () => {
    const { mkdtemp, writeFile, copyFile } = await import("node:fs/promises");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const dir = await mkdtemp(join(tmpdir(), "preflight-mixed-"));
    await copyFile("checklists/db-upgrade.yaml", join(dir, "db-upgrade.yaml"));
    await copyFile("test/fixtures/checklists/typo-and-undefined-name.yaml", join(dir, "broken.yaml"));
    await writeFile(join(dir, "notes.txt"), "not a checklist");
    const mixed = await startHarness({ checklistsDir: dir });
    try {
      expect(mixed.logs).toContainEqual(
        expect.objectContaining({
          level: "warn",
          message: expect.stringMatching(
            /^checklist left out: .*broken\.yaml:12:9 {2}phases\[0\]\.steps\[0\]\.verfy/,
          ),
        }),
      );
      const list = (await mixed.command("list", ALICE)).json as { text: string };
      expect(list.text).toContain("*db-upgrade*");
      expect(list.text).not.toContain("broken-demo");
    } finally {
      await mixed.stop();
    }
  });
});
