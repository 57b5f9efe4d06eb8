import { describe, expect, it } from "vitest";
import { slackEncode } from "../../src/sandbox/interactions.js";

const known = {
  people: [{ id: "UBOB", name: "bob" }],
  channels: [{ id: "COPS", name: "ops" }],
};

describe("typed text reaches the bot as Slack sends it", () => {
  it("turns @person and #channel into mentions, as a command with should_escape does", () => {
    expect(slackEncode("start db-upgrade buddy=@bob in #ops", known)).toBe(
      "start db-upgrade buddy=<@UBOB|bob> in <#COPS|ops>",
    );
  });

  it("escapes &, < and > so a typed mention or tag stays text; unknown names stay as typed", () => {
    expect(slackEncode("<@UBOB> & <b>@nobody #nowhere", known)).toBe(
      "&lt;@UBOB&gt; &amp; &lt;b&gt;@nobody #nowhere",
    );
    expect(slackEncode("mail bob@example.com", known)).toBe("mail bob@example.com");
  });
});
