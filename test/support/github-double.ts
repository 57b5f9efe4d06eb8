import { startDoubleServer } from "./tracker-double-http.js";

/**
 * A GitHub REST double: issues and their comments in repositories the test creates, answering
 * the paths and shapes @octokit/rest uses (`POST /repos/{o}/{r}/issues`, `PATCH …/issues/{n}`,
 * `GET|POST …/issues/{n}/comments`, `GET /repos/{o}/{r}/issues`, `GET /user`), 404 for an
 * unknown repository or issue, 401 for another token.
 */

export interface GithubIssue {
  number: number;
  title: string;
  body: string;
  state: "open" | "closed";
  labels: string[];
  html_url: string;
  comments: { id: number; body: string }[];
}

export type GithubDouble = Awaited<ReturnType<typeof startGithubDouble>>;

export async function startGithubDouble(options: { token?: string } = {}) {
  let token = options.token ?? "ghp-test";
  const repos = new Map<string, GithubIssue[]>();
  let nextComment = 1;
  let base = "";

  const issuePath = /^\/repos\/([^/]+)\/([^/]+)\/issues(?:\/(\d+))?(\/comments)?$/;
  const notFound = {
    status: 404,
    body: { message: "Not Found", documentation_url: "https://docs.github.com/rest" },
  };
  const json = (issue: GithubIssue) => {
    const { comments, labels, ...rest } = issue;
    return { ...rest, id: issue.number, comments: comments.length, labels: labels.map((name) => ({ name })) };
  };

  const server = await startDoubleServer(
    ({ method, path, body }) => {
      if (method === "GET" && path === "/user")
        return { status: 200, body: { login: "preflight-bot", id: 1 } };
      const match = issuePath.exec(path);
      if (!match) return notFound;
      const [, owner, repo, number, comments] = match;
      const issues = repos.get(`${owner}/${repo}`);
      if (!issues) return notFound;
      const input = (body ?? {}) as { title?: string; body?: string; labels?: string[]; state?: string };
      if (!number) {
        if (method === "GET") return { status: 200, body: [...issues].reverse().map(json) };
        if (method === "POST") {
          const n = issues.length + 1;
          const issue: GithubIssue = {
            number: n,
            title: input.title ?? "",
            body: input.body ?? "",
            state: "open",
            labels: input.labels ?? [],
            html_url: `${base}/web/${owner}/${repo}/issues/${n}`,
            comments: [],
          };
          issues.push(issue);
          return { status: 201, body: json(issue) };
        }
        return notFound;
      }
      const issue = issues.find((i) => i.number === Number(number));
      if (!issue) return notFound;
      if (comments) {
        if (method === "GET")
          return {
            status: 200,
            body: issue.comments.map((c) => ({ ...c, html_url: `${issue.html_url}#issuecomment-${c.id}` })),
          };
        if (method === "POST") {
          const comment = { id: nextComment++, body: input.body ?? "" };
          issue.comments.push(comment);
          return {
            status: 201,
            body: { ...comment, html_url: `${issue.html_url}#issuecomment-${comment.id}` },
          };
        }
        return notFound;
      }
      if (method === "GET") return { status: 200, body: json(issue) };
      if (method === "PATCH") {
        if (input.body !== undefined) issue.body = input.body;
        if (input.title !== undefined) issue.title = input.title;
        if (input.state === "open" || input.state === "closed") issue.state = input.state;
        return { status: 200, body: json(issue) };
      }
      return notFound;
    },
    (headers) => {
      const auth = headers.authorization ?? "";
      return auth === `token ${token}` || auth === `Bearer ${token}`;
    },
    { message: "Bad credentials", documentation_url: "https://docs.github.com/rest" },
  );
  base = server.url;

  return {
    ...server,
    /** A repository the token can write to, with `issues` open issues (tickets) already in it. */
    createRepo(fullName: string, issues = 0) {
      const list: GithubIssue[] = [];
      repos.set(fullName, list);
      for (let n = 1; n <= issues; n++)
        list.push({
          number: n,
          title: `Ticket ${n}`,
          body: "",
          state: "open",
          labels: [],
          html_url: `${base}/web/${fullName}/issues/${n}`,
          comments: [],
        });
    },
    issues: (fullName: string) => repos.get(fullName) ?? [],
    issue: (fullName: string, n: number) => repos.get(fullName)?.find((i) => i.number === n),
    setToken(value: string) {
      token = value;
    },
  };
}
