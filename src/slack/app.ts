import type { IncomingMessage, ServerResponse } from "node:http";
import type { CustomRoute } from "@slack/bolt";
import { App, HTTPReceiver, SocketModeReceiver } from "@slack/bolt";
import type { Config } from "../config.js";
import { noMetrics } from "../core/ports.js";
import { libraryLogger } from "../observability/library-logger.js";
import { countingFetch } from "../observability/slack-fetch.js";
import { register as registerDeleteSnapshot } from "./actions/delete-snapshot.js";
import { register as registerFollowUps } from "./actions/follow-ups.js";
import { register as registerPeopleMenu } from "./actions/people-menu.js";
import { register as registerReasonButtons } from "./actions/reason-buttons.js";
import { register as registerRecordButton } from "./actions/record-button.js";
import { register as registerStepButtons } from "./actions/step-buttons.js";
import { register as registerTimerButtons } from "./actions/timer-buttons.js";
import { register as registerMaintenance } from "./commands/maintenance.js";
import type { SlackDeps } from "./deps.js";
import { register as registerAppHome } from "./events/app-home.js";
import { register as registerThreadEvidence } from "./events/thread-evidence.js";
import { register as registerThreadReplies } from "./events/thread-replies.js";
import {
  createHeldAcks,
  type HeldAcks,
  type HeldOutcome,
  RELEASE_ACK,
  releaseAcksAfterListeners,
} from "./held-acks.js";
import { routedApp } from "./listener-routes.js";
import { buttonContext } from "./middleware/button-context.js";
import { listenerGuard } from "./middleware/listener-guard.js";
import { requestLog, timeAcknowledgements } from "./middleware/request-timing.js";
import { viewContext } from "./middleware/view-context.js";
import { arrivalOf, guardRequests } from "./request-guard.js";
import { register as registerAddToTimeline } from "./shortcuts/add-to-timeline.js";
import { retryAfterMs } from "./slack-errors.js";
import { acknowledgeInTime, guardSocketMessages } from "./socket-guard.js";
import { register as registerPeopleSubmissions } from "./views/people-submissions.js";
import { register as registerReasonSubmissions } from "./views/reason-submissions.js";
import { register as registerRecordSubmissions } from "./views/record-submissions.js";
import { register as registerStartParameters } from "./views/start-parameters.js";

/** What the operations routes answer besides "alive" (bot.ts builds it). */
export interface Operations {
  /** Why this process should not get traffic now (Redis not writable, workers stopped); empty when ready. */
  notReady(): Promise<string[]>;
  /** The Prometheus text for GET /metrics. */
  scrape?(): Promise<{ contentType: string; body: string }>;
}

/**
 * The Bolt app: Socket Mode when SLACK_APP_TOKEN is set (no public URL needed), otherwise HTTP
 * with Slack's requests on POST /slack/events. On the same port in both modes: GET /healthz (the
 * process is alive), GET /readyz (200 only while Redis is writable, the workers run and, in
 * Socket Mode, the socket is connected) and GET /metrics (Prometheus).
 */
export function createSlackApp(
  config: Config,
  deps: SlackDeps,
  healthy: () => Promise<boolean>,
  operations?: Operations,
): App {
  const metrics = deps.metrics ?? noMetrics;
  const log = libraryLogger(deps.log, "bolt");
  const socket = { connected: false };
  const notReady = async () => [
    ...(operations ? await operations.notReady() : (await healthy()) ? [] : ["redis is not answering"]),
    ...(config.SLACK_APP_TOKEN && !socket.connected ? ["socket mode is not connected"] : []),
  ];
  const routes = operationsRoutes(notReady, operations);
  // A message event is acknowledged once it is stored, within Slack's 3 s (held-acks.ts).
  const holds = createHeldAcks({ deadlineMs: 2_500 });
  const clientOptions = {
    rejectRateLimitedCalls: true,
    fetch: countingFetch(metrics),
    ...(config.SLACK_API_URL ? { slackApiUrl: config.SLACK_API_URL } : {}),
  };
  // No conversation store: Preflight keeps nothing per conversation in Bolt, and its middleware
  // would read the store on every request.
  const common = { token: config.SLACK_BOT_TOKEN, logger: log, clientOptions, convoStore: false as const };
  let app: App;
  if (config.SLACK_APP_TOKEN) {
    const receiver = new SocketModeReceiver({
      appToken: config.SLACK_APP_TOKEN,
      logger: libraryLogger(deps.log, "socket-mode"),
      ...(deps.socketPingTimeoutMs !== undefined ? { clientPingTimeout: deps.socketPingTimeoutMs } : {}),
      customRoutes: routes,
      installerOptions: { port: config.PORT, clientOptions },
      // As over HTTP: `context.arrivedAt` is when the envelope arrived (socket-guard.ts stamps it).
      customPropertiesExtractor: (args) => {
        const envelopeId = (args as { envelope_id?: unknown }).envelope_id;
        const arrivedAt = arrivalOfEnvelope(envelopeId);
        return {
          ...(arrivedAt === undefined ? {} : { arrivedAt }),
          [RELEASE_ACK]: (outcome?: HeldOutcome) => holds.release(envelopeId, outcome),
        };
      },
    });
    // Socket Mode parity with the HTTP path: frames screened before the client reads them.
    const arrivalOfEnvelope = guardSocketMessages(receiver.client, {
      log: deps.log,
      storageAnswers: healthy,
      holds,
    });
    // Slack drops and refreshes the socket now and then; until it is back, clicks fail in Slack.
    receiver.client.on("connected", () => {
      socket.connected = true;
    });
    // `close` comes at once when the socket drops; `reconnecting` only after the client's delay.
    for (const state of ["close", "connecting", "reconnecting", "disconnecting", "disconnected"])
      receiver.client.on(state, () => {
        socket.connected = false;
      });
    app = new App({ ...common, receiver });
    // Every envelope acknowledged exactly once, within Slack's 3 s, as the HTTP receiver does.
    acknowledgeInTime(app, { afterMs: 2_500, log: deps.log });
  } else {
    app = new App({
      ...common,
      receiver: httpReceiver(config.SLACK_SIGNING_SECRET ?? "", routes, deps, healthy, holds),
    });
  }

  // Global middleware, in order: each request timed to its acknowledgement and logged once;
  // nothing a listener throws escapes; every click and form is read and checked once before any
  // listener sees it.
  timeAcknowledgements(app, metrics);
  releaseAcksAfterListeners(app);
  app.use(requestLog(deps.log));
  app.use(listenerGuard(deps.log));
  app.use(buttonContext(deps));
  app.use(viewContext(deps));

  // Listeners are filed by id: Bolt runs one listener per kind, not every listener per request.
  const listeners = routedApp(app);
  registerMaintenance(listeners, deps);
  registerStepButtons(listeners, deps);
  registerReasonButtons(listeners, deps);
  registerRecordButton(listeners, deps);
  registerTimerButtons(listeners, deps);
  registerDeleteSnapshot(listeners, deps);
  registerFollowUps(listeners, deps);
  registerReasonSubmissions(listeners, deps);
  registerRecordSubmissions(listeners, deps);
  registerStartParameters(listeners, deps);
  registerThreadReplies(listeners, deps);
  registerThreadEvidence(listeners, deps);
  registerAddToTimeline(listeners, deps);
  registerAppHome(listeners, deps);
  registerPeopleMenu(listeners, deps);
  registerPeopleSubmissions(listeners, deps);

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
  routes: CustomRoute[],
  deps: SlackDeps,
  storageAnswers: () => Promise<boolean>,
  holds: HeldAcks,
): HTTPReceiver {
  const receiver = new HTTPReceiver({
    signingSecret,
    // Verified once, by guardRequests below, before the receiver sees the request: it screens
    // every request the receiver routes to Slack's endpoint (the same routing rule), and answers
    // 401 for a bad signature or timestamp. Only that pair may turn this off.
    signatureVerification: false,
    customRoutes: routes,
    logger: libraryLogger(deps.log, "bolt-http"),
    unhandledRequestTimeoutMillis: 2_500,
    // Listeners see when the request arrived (`context.arrivedAt`): the ack deadline counts from it.
    customPropertiesExtractor: (req) => {
      const arrivedAt = arrivalOf(req);
      return {
        ...(arrivedAt === undefined ? {} : { arrivedAt }),
        [RELEASE_ACK]: (outcome?: HeldOutcome) => holds.release(req, outcome),
      };
    },
    processEventErrorHandler: async ({ error, response }) => {
      deps.log.error("a request failed before any listener; answered without acting", {
        error: error instanceof Error ? error.message : String(error),
      });
      return !response.headersSent;
    },
  });
  guardRequests(receiver, {
    signingSecret,
    log: deps.log,
    storageAnswers,
    holds,
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
  });
  return receiver;
}

/** GET /healthz, /readyz and /metrics. */
function operationsRoutes(notReady: () => Promise<string[]>, operations?: Operations): CustomRoute[] {
  const text = (res: ServerResponse, status: number, body: string) => {
    res.writeHead(status, { "content-type": "text/plain; charset=utf-8" });
    res.end(body);
  };
  const routes: CustomRoute[] = [
    { path: "/healthz", method: ["GET"], handler: (_req, res) => text(res, 200, "ok\n") },
    {
      path: "/readyz",
      method: ["GET"],
      handler: (_req: IncomingMessage, res: ServerResponse) => {
        notReady().then(
          (reasons) =>
            text(
              res,
              reasons.length === 0 ? 200 : 503,
              reasons.length === 0 ? "ready\n" : `${reasons.join("\n")}\n`,
            ),
          (error: unknown) => text(res, 503, `readiness could not be checked: ${String(error)}\n`),
        );
      },
    },
  ];
  const scrape = operations?.scrape;
  if (scrape)
    routes.push({
      path: "/metrics",
      method: ["GET"],
      handler: (_req, res) => {
        scrape().then(
          ({ contentType, body }) => {
            res.writeHead(200, { "content-type": contentType });
            res.end(body);
          },
          (error: unknown) => text(res, 500, `metrics could not be collected: ${String(error)}\n`),
        );
      },
    });
  return routes;
}
