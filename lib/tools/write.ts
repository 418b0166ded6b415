/**
 * The `write` tool: creates or overwrites a whole file, creating parent folders, atomically.
 * @module
 */

import { textResult, type Tool } from "../core/tool.ts";
import { atomicWrite, fileToolError } from "./_atomic_write.ts";
import { resolvePath } from "./_path.ts";

/** `write {path, content}`: writes the content to the file and reports how many bytes went where. */
export const writeTool: Tool = {
  name: "write",
  description:
    "Write content to a file. Creates the file if it does not exist and overwrites it if it does; " +
    "missing parent folders are created. Prefer edit for changing part of an existing file.",
  parameters: {
    type: "object",
    properties: {
      path: { type: "string", description: "Path of the file to write (relative or absolute)" },
      content: { type: "string", description: "The complete content to write" },
    },
    required: ["path", "content"],
    additionalProperties: false,
  },
  permissions: ["read", "write"],
  async execute(args, ctx) {
    const { path, content } = args;
    if (typeof path !== "string" || path.trim() === "") {
      throw new TypeError("Cannot write: path must be a non-empty string naming the file to write");
    }
    if (typeof content !== "string") {
      throw new TypeError(`Cannot write ${path}: content must be a string holding the whole file`);
    }
    ctx.signal.throwIfAborted();
    const absolute = resolvePath(path, ctx.cwd);
    try {
      const result = await atomicWrite(absolute, content, { signal: ctx.signal });
      return textResult(`Successfully wrote ${result.bytes} bytes to ${path}`, {
        path: result.path,
        bytes: result.bytes,
        created: result.created,
      });
    } catch (error) {
      if (error instanceof Deno.errors.IsADirectory) {
        throw new Error(`Cannot write ${path}: it is a directory; give the path of a file instead`);
      }
      throw fileToolError(error, { action: "write", path, signal: ctx.signal });
    }
  },
};
