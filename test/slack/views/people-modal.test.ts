import { describe, expect, it } from "vitest";
import { peopleMenu, readPeopleOption } from "../../../src/slack/render/people-menu.js";
import { PEOPLE_INPUT, peopleEvent, peopleModal } from "../../../src/slack/views/people-modal.js";
import { newRun } from "../../support/checklist-fixtures.js";

const person = (user: string) => ({
  [PEOPLE_INPUT.person.block]: { [PEOPLE_INPUT.person.action]: { selected_user: user } },
});
const step = (id: string) => ({
  [PEOPLE_INPUT.step.block]: { [PEOPLE_INPUT.step.action]: { selected_option: { value: id } } },
});
const group = (text: string) => ({
  [PEOPLE_INPUT.group.block]: { [PEOPLE_INPUT.group.action]: { value: text } },
});

describe("the run message's people menu and its forms", () => {
  const run = newRun();
  const meta = (o: "hand_over" | "set_buddy" | "reassign_step") => ({
    r: run.id,
    v: run.progress,
    o,
    c: "C_OPS",
  });

  it("offers three options whose values fit Slack's 150 characters and read back", () => {
    const menu = peopleMenu(run);
    expect(menu.options.map((o) => o.text.text)).toEqual(["Hand over…", "Change buddy…", "Reassign step…"]);
    for (const option of menu.options) {
      expect(option.value?.length ?? 0).toBeLessThanOrEqual(150);
      expect(readPeopleOption(option.value)?.r).toBe(run.id);
    }
  });

  it("turns each form into the command's event, and asks again for what is missing", () => {
    expect(peopleEvent(meta("hand_over"), person("U_DANA"), "U_ALICE")).toEqual({
      ok: true,
      event: { type: "hand_over", to: "U_DANA", by: "U_ALICE" },
    });
    expect(peopleEvent(meta("set_buddy"), {}, "U_ALICE")).toMatchObject({ ok: false });
    const stepId = run.steps[0]?.id ?? "";
    expect(
      peopleEvent(meta("reassign_step"), { ...step(stepId), ...group("<!subteam^SDBA|@dba>") }, "U_BOB"),
    ).toEqual({
      ok: true,
      event: { type: "reassign_step", stepId, to: "SDBA", by: "U_BOB" },
    });
    expect(
      peopleEvent(meta("reassign_step"), { ...step(stepId), ...group("dba team") }, "U_BOB"),
    ).toMatchObject({
      ok: false,
      errors: { [PEOPLE_INPUT.group.block]: expect.stringContaining("starts with S") },
    });
    expect(peopleEvent(meta("reassign_step"), person("U_DANA"), "U_BOB")).toMatchObject({ ok: false });
    const modal = peopleModal(run, meta("reassign_step"));
    expect(modal.title.text.length).toBeLessThanOrEqual(24);
    expect(JSON.stringify(modal.blocks)).toContain(stepId);
  });
});
