import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../src/sandbox/redis-server.js";
import { type Harness, startHarness } from "../support/bot-harness.js";
import { type SocketModeDouble, startSocketModeDouble } from "../support/socket-mode-double.js";

/**
 * In Socket Mode a click that arrives while the socket is down fails in Slack: /readyz says
 * "not ready" from the moment the socket drops until Slack has said hello on a new one, on the
 * port that also answers /healthz and /metrics.
 */

/**
 * Shorter than the client's 5 s so that its two reconnections take seconds, long enough that a
 * loaded machine does not miss a pong (the client pings every third of it).
 */
const SOCKET_PING_TIMEOUT_MS = 2_000;

let socket: SocketModeDouble;
let h: Harness;
afterAll(async () => {
  await h?.stop();
  await socket?.close();
});

describe("Socket Mode readiness", () => {
  it("/readyz is 503 while the socket is disconnected and 200 once connected", async () => {
    socket = await startSocketModeDouble();
    const port = await freePort();
    h = await startHarness({
      env: { SLACK_APP_TOKEN: "xapp-1", SLACK_API_URL: socket.url, PORT: String(port) },
      // The client waits this long before reconnecting (5 s by default).
      bot: { socketPingTimeoutMs: SOCKET_PING_TIMEOUT_MS },
    });
    const readyz = `http://127.0.0.1:${port}/readyz`;
    const status = async () => (await fetch(readyz)).status;
    await expect.poll(status, { timeout: 10_000 }).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    expect(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).toContain("preflight_active_runs");

    socket.holdHello = true;
    socket.drop();
    // At once, not only when the client starts reconnecting (it waits a while first).
    await expect.poll(status, { timeout: 3_000 }).toBe(503);
    expect(await (await fetch(readyz)).text()).toBe("socket mode is not connected\n");
    // The client reconnects (after its own delay); not ready until Slack says hello.
    await expect.poll(() => socket.connections(), { timeout: 15_000 }).toBe(1);
    expect(await status()).toBe(503);

    socket.holdHello = false;
    socket.drop();
    await expect.poll(status, { timeout: 20_000 }).toBe(200);
  }, 45_000);
});
