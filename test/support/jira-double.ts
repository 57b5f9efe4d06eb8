import { startDoubleServer } from "./tracker-double-http.js";

/**
 * A Jira REST double (v2, as jira.js calls it): issues with wiki-markup descriptions and
 * comments in projects the test creates, sub-tasks under a parent, `search/jql` for
 * `project = X` and `parent = KEY`, `myself`; 401 for other credentials, 404 for an unknown
 * project or issue.
 */

export interface JiraIssue {
  key: string;
  summary: string;
  description: string;
  issuetype: string;
  labels: string[];
  parent?: string;
  done: boolean;
  comments: { id: string; body: string }[];
}

export type JiraDouble = Awaited<ReturnType<typeof startJiraDouble>>;

export async function startJiraDouble(options: { email?: string; apiToken?: string; pat?: string } = {}) {
  const email = options.email ?? "bot@example.com";
  let apiToken = options.apiToken ?? "jira-test";
  const pat = options.pat;
  const projects = new Map<string, JiraIssue[]>();
  let nextComment = 1;

  const all = () => [...projects.values()].flat();
  const find = (key: string) => all().find((issue) => issue.key === key);
  const notFound = {
    status: 404,
    body: { errorMessages: ["Issue does not exist or you do not have permission to see it."], errors: {} },
  };
  const json = (issue: JiraIssue) => ({
    id: issue.key,
    key: issue.key,
    fields: {
      summary: issue.summary,
      description: issue.description,
      issuetype: { name: issue.issuetype },
      labels: issue.labels,
      ...(issue.parent ? { parent: { key: issue.parent } } : {}),
      status: { statusCategory: { key: issue.done ? "done" : "new" } },
    },
  });

  const server = await startDoubleServer(
    ({ method, path, query, body }) => {
      if (method === "GET" && path === "/rest/api/2/myself")
        return { status: 200, body: { accountId: "bot", emailAddress: email } };
      if (method === "GET" && path === "/rest/api/2/search/jql") {
        const jql = query.get("jql") ?? "";
        const project = /project = "?([A-Z0-9_]+)"?/.exec(jql)?.[1];
        const parent = /parent = "?([A-Z0-9_]+-\d+)"?/.exec(jql)?.[1];
        const found = project
          ? projects.get(project)
          : parent
            ? all().filter((i) => i.parent === parent)
            : undefined;
        if (!found)
          return {
            status: 400,
            body: { errorMessages: [`The value '${project}' does not exist for the field 'project'.`] },
          };
        return { status: 200, body: { issues: [...found].reverse().map(json), isLast: true } };
      }
      if (method === "POST" && path === "/rest/api/2/issue") {
        const fields = ((body ?? {}) as { fields?: Record<string, unknown> }).fields ?? {};
        const key = (fields.project as { key?: string } | undefined)?.key ?? "";
        const list = projects.get(key);
        if (!list)
          return {
            status: 400,
            body: { errorMessages: [], errors: { project: "valid project is required" } },
          };
        const issue: JiraIssue = {
          key: `${key}-${list.length + 1}`,
          summary: String(fields.summary ?? ""),
          description: String(fields.description ?? ""),
          issuetype: (fields.issuetype as { name?: string } | undefined)?.name ?? "Task",
          labels: (fields.labels as string[] | undefined) ?? [],
          done: false,
          comments: [],
          ...(fields.parent ? { parent: (fields.parent as { key: string }).key } : {}),
        };
        list.push(issue);
        return {
          status: 201,
          body: { id: issue.key, key: issue.key, self: `${server.url}/rest/api/2/issue/${issue.key}` },
        };
      }
      const match = /^\/rest\/api\/2\/issue\/([A-Z0-9_]+-\d+)(\/comment)?$/.exec(path);
      const issue = match ? find(match[1] as string) : undefined;
      if (!match || !issue) return notFound;
      if (match[2]) {
        if (method === "GET")
          return {
            status: 200,
            body: { startAt: 0, maxResults: 1000, total: issue.comments.length, comments: issue.comments },
          };
        if (method === "POST") {
          const comment = {
            id: String(nextComment++),
            body: String((body as { body?: string } | undefined)?.body ?? ""),
          };
          issue.comments.push(comment);
          return { status: 201, body: comment };
        }
        return notFound;
      }
      if (method === "GET") return { status: 200, body: json(issue) };
      if (method === "PUT") {
        const fields = ((body ?? {}) as { fields?: { description?: string } }).fields ?? {};
        if (fields.description !== undefined) issue.description = fields.description;
        return { status: 204 };
      }
      return notFound;
    },
    (headers) => {
      const auth = headers.authorization ?? "";
      if (pat) return auth === `Bearer ${pat}`;
      return auth === `Basic ${Buffer.from(`${email}:${apiToken}`).toString("base64")}`;
    },
    { errorMessages: ["You are not authenticated. Authentication required to perform this operation."] },
  );

  return {
    ...server,
    /** A project with `issues` tickets (OPS-1 …) already in it. */
    createProject(key: string, issues = 0) {
      const list: JiraIssue[] = [];
      projects.set(key, list);
      for (let n = 1; n <= issues; n++)
        list.push({
          key: `${key}-${n}`,
          summary: `Ticket ${n}`,
          description: "",
          issuetype: "Task",
          labels: [],
          done: false,
          comments: [],
        });
    },
    issue: find,
    issues: (key: string) => projects.get(key) ?? [],
    setApiToken(value: string) {
      apiToken = value;
    },
  };
}
