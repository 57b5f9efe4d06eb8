import { WebClient } from "@slack/web-api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nameMentions } from "../../src/render/display-names.js";
import { createSlackPeopleDirectory } from "../../src/slack/people-directory.js";
import { type SlackApiDouble, startSlackApiDouble } from "../support/slack-api-double.js";

/** Group members and names from the Slack double, through the real WebClient, with the short cache. */

let slack: SlackApiDouble;
let clock = new Date("2026-12-02T10:00:00Z");
const log = { info: () => {}, warn: () => {}, error: () => {} };

beforeAll(async () => {
  slack = await startSlackApiDouble();
});
afterAll(async () => {
  await slack.close();
});

const directory = () =>
  createSlackPeopleDirectory({
    client: new WebClient("xoxb-test", { slackApiUrl: slack.url, retryConfig: { retries: 0 } }),
    log,
    now: () => clock,
    ttlMs: 60_000,
  });

describe("the people directory", () => {
  it("answers group membership, asking Slack once a minute per group", async () => {
    slack.reset();
    slack.setUserGroup({ id: "SDBA", handle: "dba", users: ["UCAROL"] });
    const people = directory();
    expect(await people.groupsOf("UCAROL", ["SDBA", "SGONE"])).toEqual(["SDBA"]);
    expect(await people.groupsOf("UDAVE", ["SDBA"])).toEqual([]);
    expect(slack.callsTo("usergroups.users.list").filter((c) => c.args.usergroup === "SDBA")).toHaveLength(1);
    slack.setUserGroup({ id: "SDBA", handle: "dba", users: ["UCAROL", "UDAVE"] });
    clock = new Date(clock.getTime() + 61_000);
    expect(await people.groupsOf("UDAVE", ["SDBA"])).toEqual(["SDBA"]);
  });

  it("maps handles to ids, and writes display names for <@U…> (the id when Slack does not know one)", async () => {
    slack.reset();
    slack.setUserGroup({ id: "SOPS", handle: "ops", users: [] });
    slack.setUser({ id: "UALICE", name: "alice" });
    const people = directory();
    expect(await people.groupIds()).toEqual(new Map([["ops", "SOPS"]]));
    expect(await people.displayName("UALICE")).toBe("alice");
    slack.failAlways("users.info", "user_not_found");
    const text = await nameMentions("<@UALICE> handed the run to <@UDANA>", people.displayName);
    expect(text).toBe("@alice handed the run to UDANA");
  });
});
