import { describe, expect, it } from "vitest";
import { startParametersModal } from "../../../src/slack/views/start-parameters.js";
import { checklistFromYaml, RULES_CHECKLIST_YAML } from "../../support/checklist-fixtures.js";

const blockIds = (view: ReturnType<typeof startParametersModal>) =>
  (view?.blocks ?? []).map((block) => (block as { block_id?: string }).block_id).filter(Boolean);

describe("the start parameters form", () => {
  const meta = { k: "rules-demo", c: "C_OPS", g: {}, d: false, h: "hash" };

  it("offers an optional break-glass override when the checklist has an environment gate", () => {
    const view = startParametersModal(checklistFromYaml(RULES_CHECKLIST_YAML), ["env"], {
      ...meta,
      o: "qa is down",
    });
    expect(blockIds(view)).toEqual(["param_env", "override_reason"]);
    expect(view?.blocks.at(-1)).toMatchObject({
      type: "input",
      optional: true,
      label: { text: "Break-glass override (emergencies only)" },
      element: { initial_value: "qa is down", max_length: 500 },
    });
  });

  it("has no override field for a checklist without a gate", () => {
    const ungated = RULES_CHECKLIST_YAML.replace(
      "    prod: { requires_completed: [qa] }",
      "    prod: { protected: true }",
    );
    expect(blockIds(startParametersModal(checklistFromYaml(ungated), ["env"], meta))).toEqual(["param_env"]);
  });
});
