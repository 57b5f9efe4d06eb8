// The local Slack Web API lives in src/sandbox: the sandbox and the tests share it.
export * from "../../src/sandbox/slack-api.js";
