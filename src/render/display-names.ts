/**
 * Outside Slack a `<@U…>` means nothing: the Markdown post-mortem and `preflight summary` show
 * people's display names instead (looked up by the caller, cached), and the id when unknown.
 */

const MENTION = /<@([UW][A-Z0-9_]+)>/g;

/** The user ids mentioned in a text, once each. */
export function mentionedIds(text: string): string[] {
  return [...new Set([...text.matchAll(MENTION)].map((match) => match[1] as string))];
}

export function withDisplayNames(text: string, names: ReadonlyMap<string, string | undefined>): string {
  return text.replace(MENTION, (_, id: string) => {
    const name = names.get(id);
    return name ? `@${name.replace(/[<>[\]|*_`]/g, "")}` : id;
  });
}

/** Looks each mentioned person up (in parallel) and writes names in. */
export async function nameMentions(
  text: string,
  displayName: (user: string) => Promise<string | undefined>,
): Promise<string> {
  const ids = mentionedIds(text);
  const names = new Map(await Promise.all(ids.map(async (id) => [id, await displayName(id)] as const)));
  return withDisplayNames(text, names);
}
