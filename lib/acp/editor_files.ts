/**
 * `read`, `write` and `edit` through the editor's buffers (`fs/read_text_file`, `fs/write_text_file`):
 * the model sees unsaved changes, and its edits land in open buffers. The tools themselves do the
 * work, unchanged, on a private copy of the buffer's text, so truncation, matching and every message
 * stay exactly theirs; the copy's folder is taken out of whatever they say. A file the editor does
 * not have, a binary file, a folder or a very large file is left to the tool on disk, so a missing
 * file is the tool's ordinary "no such file".
 * @module
 */

import { dirname, isAbsolute, join } from "node:path";
import { type Tool, type ToolContext, ToolError, type ToolResult } from "../core/mod.ts";
import { resolveToolPath } from "./tool_calls.ts";

/** The editor's view of files. */
export interface EditorFiles {
  /** The file's text as the editor has it (unsaved changes included); undefined when there is no such file. */
  read(path: string): Promise<string | undefined>;
  /** Writes the whole text (to the open buffer, or the file). */
  write(path: string, text: string): Promise<void>;
}

/** Which of the editor's file methods the client offers. */
export interface EditorFileOptions {
  read: boolean;
  write: boolean;
  /** The home folder, for `~` in paths. */
  home: string;
}

/** Files larger than this are read from disk: an editor holds buffers, not logs. */
const LARGEST_BUFFER = 4 * 1024 * 1024;
const SNIFF = 8192;

/**
 * The tools with `read`, `write` and `edit` replaced by editor-backed ones, as far as the client
 * offers: `read` needs reading, `write` needs writing, `edit` needs both.
 */
export function editorFileTools(
  tools: readonly Tool[],
  files: EditorFiles,
  options: EditorFileOptions,
): Tool[] {
  return tools.map((tool) => {
    if (tool.name === "read" && options.read) return editorRead(tool, files, options.home);
    if (tool.name === "write" && options.write) return editorWrite(tool, files, options);
    if (tool.name === "edit" && options.read && options.write) return editorEdit(tool, files, options.home);
    return tool;
  });
}

function pathOf(args: Record<string, unknown>): string | undefined {
  return typeof args.path === "string" && args.path.trim() !== "" ? args.path : undefined;
}

/** The editor's buffer of the file a call names, or undefined when the tool should read the disk. */
async function bufferOf(
  args: Record<string, unknown>,
  cwd: string,
  files: EditorFiles,
  home: string,
): Promise<{ path: string; absolute: string; text: string } | undefined> {
  const path = pathOf(args);
  if (!path) return undefined;
  const absolute = resolveToolPath(path, cwd, home);
  const text = await bufferText(absolute, files);
  return text === undefined ? undefined : { path, absolute, text };
}

function editorRead(base: Tool, files: EditorFiles, home: string): Tool {
  return {
    ...base,
    async execute(args, ctx) {
      const buffer = await bufferOf(args, ctx.cwd, files, home);
      if (!buffer) return base.execute(args, ctx);
      return (await onCopy(buffer, args, ctx, base)).result;
    },
  };
}

function editorEdit(base: Tool, files: EditorFiles, home: string): Tool {
  return {
    ...base,
    async execute(args, ctx) {
      const buffer = await bufferOf(args, ctx.cwd, files, home);
      if (!buffer) return base.execute(args, ctx);
      const { path, absolute, text } = buffer;
      const { result, after } = await onCopy(buffer, args, ctx, base);
      if (after !== undefined && after !== text) await writeThrough(files, absolute, after, path);
      return result;
    },
  };
}

function editorWrite(base: Tool, files: EditorFiles, options: EditorFileOptions): Tool {
  return {
    ...base,
    async execute(args, ctx) {
      const path = pathOf(args);
      if (!path || typeof args.content !== "string") return base.execute(args, ctx);
      const absolute = resolveToolPath(path, ctx.cwd, options.home);
      // A folder, or a file the editor cannot hold: the tool on disk says what is wrong, or writes it.
      if ((await diskKind(absolute)) === "other") return base.execute(args, ctx);
      // The copy starts as the file was, so the tool says whether it created one.
      const before = options.read
        ? await files.read(absolute).catch(() => undefined)
        : await Deno.readTextFile(absolute).catch(() => undefined);
      const { result } = await onCopy({ path, absolute, text: before }, args, ctx, base);
      await writeThrough(files, absolute, args.content, path);
      return result;
    },
  };
}

async function writeThrough(files: EditorFiles, absolute: string, text: string, path: string): Promise<void> {
  try {
    await files.write(absolute, text);
  } catch (error) {
    throw new Error(`Cannot write ${path} through the editor: ${messageOf(error)}`);
  }
}

/** The buffer's text, or undefined when the tool should work on disk. */
async function bufferText(absolute: string, files: EditorFiles): Promise<string | undefined> {
  if ((await diskKind(absolute)) === "other") return undefined;
  return await files.read(absolute);
}

/** What is on disk at `absolute`: nothing, a text file, or something the editor should not be asked for. */
async function diskKind(absolute: string): Promise<"missing" | "text" | "other"> {
  let file: Deno.FsFile;
  try {
    const info = await Deno.stat(absolute);
    if (!info.isFile || info.size > LARGEST_BUFFER) return "other";
    file = await Deno.open(absolute, { read: true });
  } catch (error) {
    return error instanceof Deno.errors.NotFound ? "missing" : "text";
  }
  try {
    const head = new Uint8Array(SNIFF);
    const n = (await file.read(head)) ?? 0;
    return head.subarray(0, n).includes(0) ? "other" : "text";
  } finally {
    file.close();
  }
}

/**
 * Runs the tool on a private copy of the file holding `text` (no file when undefined), under a
 * temporary folder that mirrors the real path; returns its result with that folder taken out, and
 * the copy's text afterwards.
 */
async function onCopy(
  file: { path: string; absolute: string; text: string | undefined },
  args: Record<string, unknown>,
  ctx: ToolContext,
  tool: Tool,
): Promise<{ result: ToolResult; after: string | undefined }> {
  const root = await Deno.makeTempDir({ prefix: "nanocode-editor-" });
  try {
    const copy = join(root, file.absolute);
    await Deno.mkdir(dirname(copy), { recursive: true });
    if (file.text !== undefined) await Deno.writeTextFile(copy, file.text);
    // A plain relative path stays as the model wrote it, so the tool's messages name it the same way.
    const plain = !isAbsolute(file.path) && !/^[@~]/.test(file.path.trim()) &&
      !file.path.split(/[\\/]/).includes("..");
    const copyArgs = { ...args, path: plain ? file.path : copy };
    let result: ToolResult;
    try {
      result = await tool.execute(copyArgs, { ...ctx, cwd: join(root, ctx.cwd) });
    } catch (error) {
      throw withoutRoot(error, root);
    }
    const after = await Deno.readTextFile(copy).catch(() => undefined);
    return { result: withoutRoot(result, root), after };
  } finally {
    await Deno.remove(root, { recursive: true }).catch(() => {});
  }
}

/** `value` with every mention of the copy's folder removed (strings at any depth; errors' messages). */
function withoutRoot<T>(value: T, root: string): T {
  if (typeof value === "string") return value.replaceAll(root, "") as T;
  if (value instanceof Error) {
    value.message = value.message.replaceAll(root, "");
    if (value instanceof ToolError && value.details) {
      return new ToolError(value.message, withoutRoot(value.details, root)) as T;
    }
    return value;
  }
  if (Array.isArray(value)) return value.map((v) => withoutRoot(v, root)) as T;
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutRoot(v, root)])) as T;
  }
  return value;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
