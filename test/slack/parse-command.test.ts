import { describe, expect, it } from "vitest";
import { parseCommand } from "../../src/slack/commands/parse-command.js";

describe("parseCommand", () => {
  it("reads start with parameters, an escaped buddy mention and dry_run", () => {
    expect(parseCommand("start db-upgrade env=prod buddy=<@U024BE7LH|dana> dry_run=true")).toEqual({
      ok: true,
      command: {
        kind: "start",
        checklistId: "db-upgrade",
        params: { env: "prod" },
        buddy: "U024BE7LH",
        dryRun: true,
      },
    });
  });

  it("reads a break-glass override with its quoted reason, on start only", () => {
    expect(parseCommand('start db-upgrade env=prod override="qa is down, the CVE fix cannot wait"')).toEqual({
      ok: true,
      command: {
        kind: "start",
        checklistId: "db-upgrade",
        params: { env: "prod" },
        dryRun: false,
        override: "qa is down, the CVE fix cannot wait",
      },
    });
    expect(parseCommand('schedule db-upgrade at 2026-11-21T22:00+01:00 override="x"')).toMatchObject({
      ok: false,
      message: expect.stringContaining("override= works with `/maintenance start` only"),
    });
  });

  it("keeps quoted values whole", () => {
    expect(parseCommand('start software-upgrade system="billing api"')).toMatchObject({
      command: { params: { system: "billing api" } },
    });
  });

  it("refuses a buddy that is not a mention, and a token that is not key=value, saying what works", () => {
    expect(parseCommand("start db-upgrade buddy=dana")).toEqual({
      ok: false,
      message: "buddy=dana: mention your buddy with @ (as in `buddy=@dana`) so Slack links the person.",
    });
    expect(parseCommand("start db-upgrade prod")).toEqual({
      ok: false,
      message: "`prod` is not key=value. Parameters are written like `env=prod`.",
    });
    expect(parseCommand("start DB")).toMatchObject({
      ok: false,
      message: expect.stringContaining("a checklist id is lower-case"),
    });
  });

  it("reads schedule with an ISO time or a local date and time", () => {
    expect(parseCommand("schedule db-upgrade at 2026-11-21T22:00+01:00 env=prod")).toEqual({
      ok: true,
      command: {
        kind: "schedule",
        checklistId: "db-upgrade",
        at: "2026-11-21T22:00+01:00",
        params: { env: "prod" },
        dryRun: false,
      },
    });
    expect(parseCommand("schedule db-upgrade at 2026-11-21 22:00 env=qa")).toMatchObject({
      command: { at: "2026-11-21 22:00", params: { env: "qa" } },
    });
    expect(parseCommand("schedule db-upgrade 2026-11-21")).toMatchObject({
      ok: false,
      message: expect.stringContaining("Usage: `/maintenance schedule"),
    });
  });

  it("reads abort, cancel, reminders, list, status and help", () => {
    expect(parseCommand("abort r-1 replica lag too high")).toEqual({
      ok: true,
      command: { kind: "abort", runId: "r-1", reason: "replica lag too high" },
    });
    expect(parseCommand("abort r-1")).toMatchObject({
      ok: false,
      message: expect.stringContaining("the reason goes into the post-mortem"),
    });
    expect(parseCommand("cancel w-1")).toEqual({ ok: true, command: { kind: "cancel", windowId: "w-1" } });
    expect(parseCommand("reminders")).toEqual({ ok: true, command: { kind: "reminders" } });
    expect(parseCommand("")).toEqual({ ok: true, command: { kind: "help" } });
  });

  it("reads pause and resume, each with a reason", () => {
    expect(parseCommand("pause r-1 waiting for the contract release")).toEqual({
      ok: true,
      command: { kind: "pause", runId: "r-1", reason: "waiting for the contract release" },
    });
    expect(parseCommand("resume r-1 released")).toEqual({
      ok: true,
      command: { kind: "resume", runId: "r-1", reason: "released" },
    });
    expect(parseCommand("pause r-1")).toMatchObject({
      ok: false,
      message: expect.stringContaining("Usage: `/maintenance pause <run-id> <reason>`"),
    });
  });
});
