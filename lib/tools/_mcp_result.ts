/**
 * An MCP tool result as the model gets it: text parts joined, images as image parts (the loop leaves
 * a note instead for a model without image input), embedded resources' text, resource links with
 * their URIs, `structuredContent` as JSON when there is no text, `isError` as a tool error, and a
 * result over 50 KB kept whole in a temp file with its head, size and path in the answer.
 * @module
 */

import {
  byteLength,
  type ContentPart,
  formatSize,
  type ImagePart,
  MAX_BYTES,
  ToolError,
  type ToolResult,
  truncateHead,
} from "../core/mod.ts";

/** A content block of an MCP result, loosely typed (servers send more than the spec names). */
export interface McpContentBlock {
  type: string;
  text?: string;
  data?: string;
  mimeType?: string;
  uri?: string;
  name?: string;
  description?: string;
  resource?: { uri?: string; mimeType?: string; text?: string; blob?: string };
}

/** A `tools/call` result, loosely typed. */
export interface McpCallResult {
  content?: McpContentBlock[];
  structuredContent?: unknown;
  isError?: boolean;
  /** Older servers answer with `toolResult` instead of content. */
  toolResult?: unknown;
}

/** What the shaping is told besides the result. */
export interface ShapeOptions {
  /** `server.tool`, for error messages and the temp file's name. */
  label: string;
  /** Writes the whole text of a big result and returns its path (default: a temp file). */
  save?: (text: string) => Promise<string>;
}

/** Bytes of base64 data decoded. */
function decodedSize(base64: string): number {
  const clean = base64.replace(/\s+/g, "");
  const padding = clean.endsWith("==") ? 2 : clean.endsWith("=") ? 1 : 0;
  return Math.max(0, Math.floor((clean.length * 3) / 4) - padding);
}

/**
 * Turns a `tools/call` result into a tool result. Throws {@link ToolError} when the server marked the
 * result as an error, with the server's text as the message.
 */
export async function shapeCallResult(result: McpCallResult, options: ShapeOptions): Promise<ToolResult> {
  const texts: string[] = [];
  const images: ImagePart[] = [];
  let hasText = false;
  for (const block of result.content ?? []) {
    switch (block.type) {
      case "text":
        texts.push(block.text ?? "");
        hasText = true;
        break;
      case "image":
        if (block.data) {
          const mime = block.mimeType ?? "image/png";
          images.push({ type: "image_url", image_url: { url: `data:${mime};base64,${block.data}` } });
          texts.push(`[image ${mime}, ${formatSize(decodedSize(block.data))}]`);
        }
        break;
      case "audio":
        texts.push(
          `[audio ${block.mimeType ?? "?"}, ${formatSize(decodedSize(block.data ?? ""))}: not shown]`,
        );
        break;
      case "resource": {
        const r = block.resource ?? {};
        if (typeof r.text === "string") {
          texts.push(`[resource ${r.uri ?? ""}${r.mimeType ? ` (${r.mimeType})` : ""}]\n${r.text}`);
          hasText = true;
        } else {
          texts.push(
            `[resource ${r.uri ?? ""}: ${r.mimeType ?? "binary"}, ${formatSize(decodedSize(r.blob ?? ""))}]`,
          );
        }
        break;
      }
      case "resource_link": {
        const what = [block.name, block.uri].filter((part) => part).join(" ");
        const mime = block.mimeType ? ` (${block.mimeType})` : "";
        const about = block.description ? ` - ${block.description}` : "";
        texts.push(`[resource link] ${what}${mime}${about} (read it with mcp_read_resource)`);
        break;
      }
      default:
        texts.push(`[${block.type} content: not shown]`);
    }
  }
  if (!hasText && result.structuredContent !== undefined) {
    texts.unshift(JSON.stringify(result.structuredContent, null, 2));
  }
  if (texts.length === 0 && result.toolResult !== undefined) {
    texts.push(typeof result.toolResult === "string" ? result.toolResult : JSON.stringify(result.toolResult));
  }
  const text = texts.join("\n");
  if (result.isError) {
    const bounded = truncateHead(text, { maxBytes: 4096, maxLines: 40 }).text;
    throw new ToolError(
      `${options.label} failed: ${bounded || "the server reported an error without a message"}`,
    );
  }
  const content: ContentPart[] = [{ type: "text", text: await boundText(text || "(no output)", options) }];
  content.push(...images);
  return { content };
}

/**
 * `text` as is when it fits 50 KB and 2,000 lines; else its head, with a note giving its size and the
 * path of a file holding all of it.
 */
export async function boundText(text: string, options: ShapeOptions): Promise<string> {
  const head = truncateHead(text);
  if (!head.truncated) return text;
  let where: string;
  try {
    const path = await (options.save ?? saveTemp)(text);
    where = `Full result: ${path}; read it with offset=${head.lastLine + 1}.`;
  } catch (error) {
    where = `Full result not saved: ${
      error instanceof Error ? error.message.split("\n")[0] : String(error)
    }.`;
  }
  const size = formatSize(byteLength(text));
  if (head.lineTooLong) {
    return `[The result of ${options.label} is ${size} on one line, more than ${
      formatSize(MAX_BYTES)
    }. ${where}]`;
  }
  return `${head.text}\n\n[Showing lines 1-${head.lastLine} of ${head.totalLines} (${size} in all). ${where}]`;
}

async function saveTemp(text: string): Promise<string> {
  const path = await Deno.makeTempFile({ prefix: "nanocode-mcp-", suffix: ".txt" });
  await Deno.writeTextFile(path, text);
  return path;
}
