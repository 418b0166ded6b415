/**
 * A saved session as a document to read or share: Markdown, or one self-contained HTML file (inline
 * style, no scripts or outside resources). User and assistant text, reasoning folded away, each tool
 * call with its result. Only the conversation is written: never a key or a header.
 * @module
 */

import { contentText, type Message } from "../core/mod.ts";
import type { LoadedSession } from "./reader.ts";

/** One block of the document, in order. */
type Block =
  | { kind: "user"; text: string; images: number }
  | { kind: "assistant"; text: string; reasoning: string }
  | { kind: "call"; name: string; args: string; result?: string };

function blocksOf(messages: readonly Message[]): Block[] {
  const blocks: Block[] = [];
  const calls = new Map<string, Extract<Block, { kind: "call" }>>();
  for (const m of messages) {
    if (m.role === "system") continue;
    if (m.role === "user") {
      const images = Array.isArray(m.content) ? m.content.filter((p) => p.type === "image_url").length : 0;
      blocks.push({ kind: "user", text: contentText(m.content), images });
    } else if (m.role === "assistant") {
      const reasoning = m.reasoning_content ?? m.reasoning ?? m.reasoning_text ?? "";
      const text = contentText(m.content);
      if (text || reasoning) blocks.push({ kind: "assistant", text, reasoning });
      for (const call of m.tool_calls ?? []) {
        const block = {
          kind: "call" as const,
          name: call.function.name,
          args: prettyJson(call.function.arguments),
        };
        calls.set(call.id, block);
        blocks.push(block);
      }
    } else {
      const call = calls.get(m.tool_call_id);
      if (call) call.result = m.content;
    }
  }
  return blocks;
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function title(session: LoadedSession): string {
  const first = session.messages.find((m) => m.role === "user");
  const prompt = first ? contentText(first.content).replace(/\s+/g, " ").trim() : "";
  return session.name ?? (prompt.length > 80 ? `${prompt.slice(0, 79)}…` : prompt || "nanocode session");
}

/** A fence longer than any run of backticks in `text`, so the text cannot close it. */
function fence(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  return "`".repeat(longest + 1);
}

/** The session as Markdown. */
export function sessionMarkdown(session: LoadedSession): string {
  const { header } = session;
  const out = [
    `# ${title(session)}`,
    "",
    `Session ${header.id} · ${header.cwd} · ${session.model} · ${header.created}`,
  ];
  for (const block of blocksOf(session.messages)) {
    out.push("");
    if (block.kind === "user") {
      out.push("## User", "", block.text);
      if (block.images > 0) out.push("", `(${block.images} image${block.images === 1 ? "" : "s"})`);
    } else if (block.kind === "assistant") {
      out.push("## Assistant");
      if (block.reasoning) {
        out.push("", "<details><summary>Reasoning</summary>", "", block.reasoning, "", "</details>");
      }
      if (block.text) out.push("", block.text);
    } else {
      const f = fence(block.args);
      out.push(`**Tool call: ${block.name}**`, "", `${f}json`, block.args, f);
      if (block.result !== undefined) {
        const r = fence(block.result);
        out.push("", "<details><summary>Result</summary>", "", `${r}text`, block.result, r, "", "</details>");
      }
    }
  }
  return out.join("\n") + "\n";
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STYLE =
  `body{font:15px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#1d1d1f}
h1{font-size:1.4rem}.meta{color:#666;font-size:.85rem}section{margin:1.2rem 0;padding:.6rem .9rem;border-radius:8px}
.user{background:#eef4ff}.assistant{background:#f6f6f6}.call{border:1px solid #ddd}
h2{font-size:.8rem;text-transform:uppercase;letter-spacing:.05em;color:#555;margin:0 0 .4rem}
pre{white-space:pre-wrap;word-break:break-word;background:#fff;border:1px solid #e3e3e3;padding:.5rem;border-radius:6px;font-size:13px}
.text{white-space:pre-wrap}summary{cursor:pointer;color:#555}`;

/** The session as one HTML file that needs nothing else to open. */
export function sessionHtml(session: LoadedSession): string {
  const { header } = session;
  const parts: string[] = [];
  for (const block of blocksOf(session.messages)) {
    if (block.kind === "user") {
      const images = block.images > 0 ? `<p class="meta">(${block.images} image(s))</p>` : "";
      parts.push(
        `<section class="user"><h2>User</h2><div class="text">${
          escapeHtml(block.text)
        }</div>${images}</section>`,
      );
    } else if (block.kind === "assistant") {
      const reasoning = block.reasoning
        ? `<details><summary>Reasoning</summary><div class="text">${
          escapeHtml(block.reasoning)
        }</div></details>`
        : "";
      parts.push(
        `<section class="assistant"><h2>Assistant</h2>${reasoning}<div class="text">${
          escapeHtml(block.text)
        }</div></section>`,
      );
    } else {
      const result = block.result === undefined
        ? ""
        : `<details><summary>Result</summary><pre>${escapeHtml(block.result)}</pre></details>`;
      parts.push(
        `<section class="call"><h2>Tool call: ${escapeHtml(block.name)}</h2><pre>${
          escapeHtml(block.args)
        }</pre>${result}</section>`,
      );
    }
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${escapeHtml(title(session))}</title><style>${STYLE}</style></head>
<body><h1>${escapeHtml(title(session))}</h1>
<p class="meta">Session ${escapeHtml(header.id)} · ${escapeHtml(header.cwd)} · ${
    escapeHtml(session.model)
  } · ${escapeHtml(header.created)}</p>
${parts.join("\n")}
</body></html>
`;
}
