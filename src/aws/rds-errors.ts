import { RdsError, type RdsErrorKind, type RdsTarget } from "../core/rds.js";

/** How an RDS failure becomes an RdsError whose message names the resource and what AWS said. */

/** What was being done when RDS failed, so the message can name it. */
export interface RdsErrorContext {
  operation: string;
  target: RdsTarget;
  /** The instance or cluster, or for snapshot operations the snapshot. */
  id: string;
  region: string;
  /** Set by CreateDB*Snapshot, where `id` is the source and this the snapshot being created. */
  snapshotId?: string;
  /** The resource's current status, when known (makes an invalid_state message specific). */
  status?: string;
}

const NOUNS = {
  instance: {
    target: "DB instance",
    snapshot: "DB snapshot",
    missing: ["DBInstanceNotFound", "DBSnapshotNotFound"],
  },
  cluster: {
    target: "DB cluster",
    snapshot: "DB cluster snapshot",
    missing: ["DBClusterNotFoundFault", "DBClusterSnapshotNotFoundFault"],
  },
} as const;

/** A describe that answers with an empty list (or a call without a body) means the resource is missing. */
export function notFound(context: RdsErrorContext): never {
  const Code = NOUNS[context.target].missing[context.operation.includes("Snapshot") ? 1 : 0];
  throw rdsErrorFrom({ Code, message: "RDS returned no such resource" }, context);
}

interface AwsErrorShape {
  name?: unknown;
  message?: unknown;
  Code?: unknown;
  code?: unknown;
  Error?: { Code?: unknown };
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

const ACCESS_DENIED = new Set(["AccessDenied", "AccessDeniedException", "UnauthorizedOperation"]);
const THROTTLED = new Set([
  "Throttling",
  "ThrottlingException",
  "RequestLimitExceeded",
  "TooManyRequests",
  "TooManyRequestsException",
]);
const INVALID_REQUEST = new Set(["InvalidParameterCombination", "InvalidParameterValue"]);

const str = (value: unknown): string | undefined => (typeof value === "string" && value ? value : undefined);

function kindOf(names: string[], status: number | undefined): RdsErrorKind {
  const named = (test: (name: string) => boolean) => names.some(test);
  if (named((n) => ACCESS_DENIED.has(n))) return "access_denied";
  if (named((n) => THROTTLED.has(n))) return "throttled";
  if (named((n) => n.includes("NotFound"))) return "not_found";
  if (named((n) => /^Invalid\w*State/.test(n))) return "invalid_state";
  if (named((n) => n.includes("AlreadyExists"))) return "already_exists";
  if (named((n) => INVALID_REQUEST.has(n))) return "invalid_request";
  if (status === 403) return "access_denied";
  if (status === 404) return "not_found";
  if (status === 429) return "throttled";
  if (status === 400) return "invalid_request";
  return "other";
}

/** Sorts any failure of an RDS call into an RdsError whose message names the resource and what AWS said. */
export function rdsErrorFrom(error: unknown, context: RdsErrorContext): RdsError {
  if (error instanceof RdsError) return error;
  const shape: AwsErrorShape = typeof error === "object" && error !== null ? error : {};
  const name = str(shape.name);
  // Network errors are plain Errors whose `code` (ECONNREFUSED, ETIMEDOUT…) says more than the name.
  const code =
    str(shape.Code) ??
    str(shape.Error?.Code) ??
    (name === "Error" ? str(shape.code) : undefined) ??
    name ??
    "Unknown";
  const kind = kindOf([code, name ?? code], shape.$metadata?.httpStatusCode);
  const said = (str(shape.message) ?? String(error)).replace(/\.$/, "");
  const { operation, id, region } = context;
  const nouns = NOUNS[context.target];
  const aboutSnapshot =
    context.snapshotId === undefined ? operation.includes("Snapshot") : code.includes("Snapshot");
  const resource = aboutSnapshot ? `${nouns.snapshot} ${context.snapshotId ?? id}` : `${nouns.target} ${id}`;
  const verb = { Modify: "modified", Delete: "deleted" }[operation.slice(0, 6)] ?? "snapshotted";
  const attempts = shape.$metadata?.attempts;

  const messages: Record<RdsErrorKind, () => string> = {
    access_denied: () =>
      `AWS denied ${operation} on ${id} (${code}): ${said}. Check the bot's IAM permissions for rds:${operation}.`,
    not_found: () => `${resource} was not found in ${region} (${code}). Check the identifier and the region.`,
    invalid_state: () =>
      context.status
        ? `${resource} is ${context.status}, not available, so it can't be ${verb} now (${code}). Wait until it is available and try again.`
        : `${resource} is not available, so it can't be ${verb} now (${code}): ${said}. Wait until it is available and try again.`,
    already_exists: () =>
      `${resource} already exists in ${region} (${code}). Pick another identifier or delete the existing one.`,
    throttled: () =>
      `RDS is throttling requests (${code}); ${operation} on ${id} gave up after ${attempts ?? "several"} attempts. Try again in a minute.`,
    invalid_request: () => `RDS rejected ${operation} on ${resource} as invalid (${code}): ${said}.`,
    other: () => `${operation} on ${resource} in ${region} failed (${code}): ${said}.`,
  };
  return new RdsError(kind, code, messages[kind]());
}
