import { spawnSync } from "node:child_process";
import { type Browser, chromium, type Page } from "playwright-core";
import { onTestFinished } from "vitest";

/**
 * Debian's `chromium` (nothing downloads a browser), headless, with the flags this closed network
 * needs. Browser tests skip, saying why, where it is missing.
 */

export const CHROMIUM = spawnSync("sh", ["-c", "command -v chromium"], { encoding: "utf8" }).stdout.trim();
export const MISSING = "skipped: no chromium on the PATH (Debian: apt-get install chromium)";
export const ARTIFACTS = "test-artifacts";

/** One browser per file: starting Chromium costs seconds of CPU, a context a few milliseconds. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/**
 * A page in a context of its own (a fresh profile: no storage left by an earlier test), with the
 * page's uncaught errors collected; closed when the test ends, so it stops redrawing meanwhile.
 */
export async function openTestPage(
  browser: Browser,
  viewport: { width: number; height: number },
): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport });
  onTestFinished(() => context.close());
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  return { page, errors };
}
