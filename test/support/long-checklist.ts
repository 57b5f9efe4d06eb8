/**
 * A 300-step migration in 6 phases: titles of 140 characters, long details, a verified step every
 * 25. Long enough that the run message collapses and the full list continues in the thread.
 */
export const LONG_STEPS = 300;
const PHASES = 6;

export function longMigrationChecklist(): string {
  const perPhase = LONG_STEPS / PHASES;
  const phases = Array.from({ length: PHASES }, (_, p) => {
    const steps = Array.from({ length: perPhase }, (_, i) => {
      const n = p * perPhase + i + 1;
      const title = `Step ${n}: ${"migrate the invoices partition and check the row counts ".repeat(2).slice(0, 140)}`;
      const verify = n % 25 === 0 ? "\n        verify: true" : "";
      return `      - id: s${n}\n        title: "${title}"\n        details: "${"Check the dashboard before going on. ".repeat(20)}"\n        duration: 1m-2m${verify}`;
    });
    return `  - id: phase-${p + 1}\n    title: Phase ${p + 1}\n    steps:\n${steps.join("\n")}`;
  });
  return `id: long-migration\ntitle: A 300-step migration\nsummary: Long enough to need collapsing\nphases:\n${phases.join("\n")}\n`;
}
