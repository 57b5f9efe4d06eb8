import type { IncomingMessage, ServerResponse } from "node:http";
import type { CustomRoute } from "@slack/bolt";
import { App, HTTPReceiver, LogLevel } from "@slack/bolt";
import type { Config } from "../config.js";
import { register as registerDeleteSnapshot } from "./actions/delete-snapshot.js";
import { register as registerFollowUps } from "./actions/follow-ups.js";
import { register as registerReasonButtons } from "./actions/reason-buttons.js";
import { register as registerStepButtons } from "./actions/step-buttons.js";
import { register as registerTimerButtons } from "./actions/timer-buttons.js";
import { register as registerMaintenance } from "./commands/maintenance.js";
import type { SlackDeps } from "./deps.js";
import { register as registerThreadReplies } from "./events/thread-replies.js";
import { buttonContext } from "./middleware/button-context.js";
import { listenerGuard } from "./middleware/listener-guard.js";
import { viewContext } from "./middleware/view-context.js";
import { arrivalOf, guardRequests } from "./request-guard.js";
import { retryAfterMs } from "./slack-errors.js";
import { register as registerReasonSubmissions } from "./views/reason-submissions.js";
import { register as registerStartParameters } from "./views/start-parameters.js";

/**
 * The Bolt app: Socket Mode when SLACK_APP_TOKEN is set (no public URL needed), otherwise HTTP
 * with Slack's requests on POST /slack/events. GET /healthz answers 200 only while Redis does.
 */
export function createSlackApp(config: Config, deps: SlackDeps, healthy: () => Promise<boolean>): App {
  const healthz = {
    path: "/healthz",
    method: ["GET"],
    handler: (_req: IncomingMessage, res: ServerResponse) => {
      void healthy().then((ok) => {
        res.writeHead(ok ? 200 : 503, { "content-type": "text/plain" });
        res.end(ok ? "ok\n" : "redis is not answering\n");
      });
    },
  };
  const common = {
    token: config.SLACK_BOT_TOKEN,
    logLevel: LogLevel.WARN,
    clientOptions: {
      rejectRateLimitedCalls: true,
      ...(config.SLACK_API_URL ? { slackApiUrl: config.SLACK_API_URL } : {}),
    },
  };
  const app = config.SLACK_APP_TOKEN
    ? new App({
        ...common,
        customRoutes: [healthz],
        appToken: config.SLACK_APP_TOKEN,
        socketMode: true,
        installerOptions: { port: config.PORT },
      })
    : new App({
        ...common,
        receiver: httpReceiver(config.SLACK_SIGNING_SECRET ?? "", healthz, deps, healthy),
      });

  // Global middleware, in order: nothing a listener throws escapes; every click and form is read
  // and checked once before any listener sees it.
  app.use(listenerGuard(deps.log));
  app.use(buttonContext(deps));
  app.use(viewContext(deps));

  registerMaintenance(app, deps);
  registerStepButtons(app, deps);
  registerReasonButtons(app, deps);
  registerTimerButtons(app, deps);
  registerDeleteSnapshot(app, deps);
  registerFollowUps(app, deps);
  registerReasonSubmissions(app, deps);
  registerStartParameters(app, deps);
  registerThreadReplies(app, deps);

  app.error(async (error) => {
    const original = (error as { original?: unknown }).original ?? error;
    const wait = retryAfterMs(original);
    if (wait !== undefined) deps.log.warn("Slack rate limit reached in a listener", { retryAfterMs: wait });
    else
      deps.log.error("a request could not be handled", {
        code: error.code,
        error: original instanceof Error ? original.message : String(original),
      });
  });
  return app;
}

/**
 * Slack's requests over HTTP. A request is screened before Bolt reads it (`guardRequests`), an error
 * Bolt meets before any listener is answered 200 rather than 500 (nothing was done, and a 5xx only
 * makes Slack retry), and a request nobody acknowledged is answered before Slack's 3 s run out.
 */
function httpReceiver(
  signingSecret: string,
  healthz: CustomRoute,
  deps: SlackDeps,
  storageAnswers: () => Promise<boolean>,
): HTTPReceiver {
  const receiver = new HTTPReceiver({
    signingSecret,
    customRoutes: [healthz],
    logLevel: LogLevel.WARN,
    unhandledRequestTimeoutMillis: 2_500,
    // Listeners see when the request arrived (`context.arrivedAt`): the ack deadline counts from it.
    customPropertiesExtractor: (req) => {
      const arrivedAt = arrivalOf(req);
      return arrivedAt === undefined ? {} : { arrivedAt };
    },
    processEventErrorHandler: async ({ error, response }) => {
      deps.log.error("a request failed before any listener; answered without acting", {
        error: error instanceof Error ? error.message : String(error),
      });
      return !response.headersSent;
    },
  });
  guardRequests(receiver, { signingSecret, log: deps.log, storageAnswers });
  return receiver;
}
