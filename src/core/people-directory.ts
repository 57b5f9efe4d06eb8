/**
 * The port to who people are: user group members, group handles, display names. Slack answers
 * it (src/slack/people-directory.ts, with a short cache); the core only ever sees the answers.
 */
export interface PeopleDirectory {
  /** Which of `groups` (S… ids) `user` is a member of; a group that can't be read counts as not. */
  groupsOf(user: string, groups: readonly string[]): Promise<string[]>;
  /** The members of a group (for the App Home and for naming who may). */
  membersOf(group: string): Promise<string[]>;
  /** Every user group's `@handle` → its id (usergroups.list), for handles checklists name. */
  groupIds(): Promise<Map<string, string>>;
  /** A person's display name, or undefined when Slack does not know it. */
  displayName(user: string): Promise<string | undefined>;
  /**
   * Whether `user` is a person who can work a run: not a bot or an app, not deactivated.
   * Undefined when Slack does not say (the lookup failed): the engine then decides on the id alone.
   */
  isPerson(user: string): Promise<boolean | undefined>;
}
