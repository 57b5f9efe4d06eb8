import type { StoredMessage, StoredUpload } from "./slack-double-types.js";
import { type Answer, fail, isObj, ok, str } from "./slack-limits.js";

/**
 * The local Slack's file uploads: files.getUploadURLExternal, the upload URL itself and
 * files.completeUploadExternal. Kept apart from slack-api.ts, which serves them.
 */

type Args = Record<string, unknown>;

export interface FileSurfaces {
  handlers: Record<string, (args: Args) => Answer>;
  /** The bytes sent to an upload URL: the HTTP status and text to answer. */
  receive(fileId: string, contentType: string, raw: Buffer): Promise<{ status: number; body: string }>;
}

export function createFileSurfaces(ctx: {
  uploads: StoredUpload[];
  botUserId: string;
  nextId: (prefix: string) => string;
  nextTs: () => string;
  channelMessages: (channel: string) => StoredMessage[];
  /** The double's own address, known once it listens. */
  base: () => string;
}): FileSurfaces {
  const { uploads, botUserId, nextId, nextTs, channelMessages } = ctx;
  return {
    handlers: {
      "files.getUploadURLExternal": (args) => {
        const filename = str(args.filename);
        const length = Number(args.length);
        if (!filename || !Number.isInteger(length) || length < 0)
          return fail("invalid_arguments", "filename and length are required");
        const fileId = nextId("F");
        uploads.push({
          fileId,
          filename,
          length,
          content: Buffer.alloc(0),
          uploaded: false,
          completed: false,
        });
        return ok({ upload_url: `${ctx.base()}upload/${fileId}`, file_id: fileId });
      },
      "files.completeUploadExternal": (args) => {
        const files = args.files;
        if (!Array.isArray(files) || files.length === 0)
          return fail("invalid_arguments", "files is required");
        const targets = files.map((f) => uploads.find((u) => isObj(f) && u.fileId === f.id));
        if (targets.some((u) => !u?.uploaded))
          return fail("invalid_arguments", "unknown or not uploaded file id");
        for (const [i, upload] of targets.entries()) {
          if (!upload) continue;
          const entry = files[i] as Args;
          Object.assign(upload, {
            completed: true,
            channel: str(args.channel_id) || undefined,
            threadTs: str(args.thread_ts) || undefined,
            title: str(entry.title) || upload.filename,
            initialComment: str(args.initial_comment) || undefined,
          });
        }
        const channelId = str(args.channel_id);
        if (channelId) {
          const shared: StoredMessage = { channel: channelId, ts: nextTs(), user: botUserId, updates: 0 };
          if (str(args.thread_ts)) shared.thread_ts = str(args.thread_ts);
          if (str(args.initial_comment)) shared.text = str(args.initial_comment);
          shared.files = targets.map((u) => ({
            id: u?.fileId ?? "",
            name: u?.filename ?? "",
            title: u?.title,
          }));
          channelMessages(channelId).push(shared);
        }
        return ok({
          files: targets.map((u) => ({ id: u?.fileId, name: u?.filename, title: u?.title, size: u?.length })),
        });
      },
    },
    async receive(fileId, contentType, raw) {
      const upload = uploads.find((u) => u.fileId === fileId);
      if (!upload) return { status: 404, body: "no such upload" };
      let content = raw;
      // WebClient 8 sends the bytes as multipart/form-data (field "body"); curl-style clients may send raw bytes.
      if (contentType.includes("multipart/form-data")) {
        const form = await new Response(raw, { headers: { "content-type": contentType } }).formData();
        const file = [...form.values()].find((v) => typeof v !== "string");
        content = typeof file === "object" ? Buffer.from(await file.arrayBuffer()) : Buffer.alloc(0);
      }
      Object.assign(upload, { content, uploaded: true });
      return { status: 200, body: `OK - ${content.length}` };
    },
  };
}
