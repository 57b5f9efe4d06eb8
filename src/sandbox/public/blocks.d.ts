// Types for the page's plain-JS renderers, so the TypeScript tests can import them.
export interface VNode {
  tag: string;
  attrs: Record<string, string | boolean | undefined>;
  children: (VNode | string)[];
  act?: {
    blockId: string;
    actionId: string;
    type: string;
    confirm?: { title: string; text: string; confirm: string; deny: string; style?: string };
  };
}
export interface RenderContext {
  people?: { id: string; name: string }[];
  channels?: { id: string; name: string }[];
  /** The reader's time zone, for `<!date^…>` tokens. */
  tz?: string;
}
export function blockIdOf(block: { block_id?: string }, index: number): string;
export function textObject(text: unknown, ctx: RenderContext, inlineOnly?: boolean): VNode | null;
export function renderBlocks(blocks: readonly unknown[] | undefined, ctx?: RenderContext): VNode;
