import { describe, expect, it } from "vitest";
import { answeringPeople, loopUtilization, noteRequest } from "../../src/observability/loop-load.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Keeps the event loop working for `ms`. */
const spin = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // working
  }
};

describe("how hard the process works for people", () => {
  it("background work gives way only while a person is being answered on a nearly full loop", async () => {
    await sleep(300);
    loopUtilization();
    spin(300);
    // A full loop, but nobody asking: background work goes on.
    expect(answeringPeople()).toBe(false);
    spin(300);
    noteRequest();
    expect(answeringPeople()).toBe(true);
    // The loop idles and the request is a quarter second old: no more giving way.
    await sleep(300);
    expect(answeringPeople()).toBe(false);
  });
});
