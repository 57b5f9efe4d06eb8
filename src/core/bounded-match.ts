import vm from "node:vm";

/**
 * A checklist's `pattern:` is tested against what people type (a parameter, a ticket) and what a
 * check reads (a body): a pattern that backtracks catastrophically (`^(a+)+$` against `aaaa…!`)
 * would hold the whole process for seconds or forever. Each test runs with a time limit: V8
 * interrupts a regular expression that runs past it.
 */

const script = new vm.Script("pattern.test(text)");
const context = vm.createContext({});

/** How long one test may take (ms): a sane pattern over a few KB takes microseconds. */
export const MATCH_LIMIT_MS = 100;

/** Whether `text` matches `pattern`, or `too_slow` when testing it took longer than `limitMs`. */
export function matchesWithin(pattern: RegExp, text: string, limitMs = MATCH_LIMIT_MS): boolean | "too_slow" {
  context.pattern = pattern;
  context.text = text;
  try {
    return script.runInContext(context, { timeout: limitMs }) === true;
  } catch (error) {
    if ((error as { code?: unknown }).code === "ERR_SCRIPT_EXECUTION_TIMEOUT") return "too_slow";
    throw error;
  } finally {
    context.pattern = undefined;
    context.text = undefined;
  }
}

/** What a person is told when the checklist's pattern took too long on their value. */
export function tooSlowToCheck(what: string, pattern: string): string {
  return `${what} could not be checked: the checklist's pattern ${pattern} takes too long on it (it backtracks without end). Give a shorter or simpler value, and ask the checklist's owner to simplify the pattern.`;
}
