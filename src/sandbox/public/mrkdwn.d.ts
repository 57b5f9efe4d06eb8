import type { RenderContext, VNode } from "./blocks.js";
export function mrkdwn(text: string, ctx?: RenderContext): VNode;
export function inline(text: string, ctx?: RenderContext): (VNode | string)[];
