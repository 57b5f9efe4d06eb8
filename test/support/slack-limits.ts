import type { Button, KnownBlock } from "@slack/types";
import { expect } from "vitest";

/** Slack's limits (platform-facts.md); every message Preflight posts must respect them. */
export const MAX_BLOCKS = 50;
export const MAX_SECTION_TEXT = 3_000;
const MAX_BUTTON_TEXT = 75;
const MAX_BUTTON_VALUE = 2_000;
const MAX_ACTION_ID = 255;
const MAX_ACTIONS_ELEMENTS = 25;
const MAX_HEADER_TEXT = 150;
/** An overflow menu: 2–5 options, each value ≤ 150 characters. */
const MAX_OVERFLOW_OPTIONS = 5;
const MAX_OPTION_VALUE = 150;
const MAX_CONTEXT_ELEMENTS = 10;
/** `msg_blocks_too_long` was seen at ~13,000 characters: we keep under 12,000. */
export const MAX_MESSAGE_JSON = 12_000;

export type Message = { text: string; blocks: KnownBlock[] };

export function expectWithinSlackLimits(message: Message) {
  expect(message.text.length).toBeGreaterThan(0);
  expect(message.blocks.length).toBeLessThanOrEqual(MAX_BLOCKS);
  expect(JSON.stringify(message.blocks).length).toBeLessThanOrEqual(MAX_MESSAGE_JSON);
  // The run message keeps the JSON text it was measured on, and that is what a redraw sends.
  if ("blocksJson" in message) expect(message.blocksJson).toBe(JSON.stringify(message.blocks));
  for (const block of message.blocks) {
    if (block.type === "header") expect(block.text.text.length).toBeLessThanOrEqual(MAX_HEADER_TEXT);
    if (block.type === "section") {
      expect(block.text?.text.length ?? 0).toBeGreaterThan(0);
      expect(block.text?.text.length ?? 0).toBeLessThanOrEqual(MAX_SECTION_TEXT);
    }
    if (block.type === "context") {
      expect(block.elements.length).toBeGreaterThan(0);
      expect(block.elements.length).toBeLessThanOrEqual(MAX_CONTEXT_ELEMENTS);
    }
    if (block.type === "actions") {
      expect(block.elements.length).toBeGreaterThan(0);
      expect(block.elements.length).toBeLessThanOrEqual(MAX_ACTIONS_ELEMENTS);
      const ids = block.elements.map((element) => ("action_id" in element ? element.action_id : ""));
      expect(new Set(ids).size, "action ids are unique within a block").toBe(ids.length);
      for (const element of block.elements.filter((e) => e.type === "overflow")) {
        expect(element.options.length).toBeGreaterThanOrEqual(2);
        expect(element.options.length).toBeLessThanOrEqual(MAX_OVERFLOW_OPTIONS);
        for (const option of element.options) {
          expect(option.text.text.length).toBeLessThanOrEqual(MAX_BUTTON_TEXT);
          expect(option.value?.length ?? 0).toBeLessThanOrEqual(MAX_OPTION_VALUE);
        }
      }
      for (const element of onlyButtons(block.elements)) {
        expect(element.text.text.length).toBeLessThanOrEqual(MAX_BUTTON_TEXT);
        expect(element.value?.length ?? 0).toBeLessThanOrEqual(MAX_BUTTON_VALUE);
        expect(element.action_id?.length ?? 0).toBeLessThanOrEqual(MAX_ACTION_ID);
      }
    }
  }
}

/** The buttons of an actions row (a row may also end with the run's overflow menu). */
export function onlyButtons(elements: readonly { type: string }[]): Button[] {
  return elements.filter((element): element is Button => element.type === "button");
}
