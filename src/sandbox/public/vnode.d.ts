import type { VNode } from "./blocks.js";
export function h(tag: string, attrs?: VNode["attrs"], ...children: unknown[]): VNode;
export function textContent(node: VNode | string): string;
export function findAll(node: VNode | string, test: (node: VNode) => boolean): VNode[];
