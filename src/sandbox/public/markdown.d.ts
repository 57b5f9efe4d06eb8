import type { RenderContext, VNode } from "./blocks.js";
export function markdown(text: string, ctx?: RenderContext): VNode;
