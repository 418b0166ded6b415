/**
 * Checks messages an agent sent against the ACP SDK's own zod schemas: each request, notification
 * and response by its method, and strictly: a field the schema does not know (which zod would drop
 * silently) counts as a problem too.
 * @module
 */

type Schema = {
  safeParse(value: unknown): { success: boolean; data?: unknown; error?: { message: string } };
};

// The SDK keeps its zod schemas in a module its package does not export; it is a file beside the entry.
const zod = await import(
  new URL("./schema/zod.gen.js", import.meta.resolve("@agentclientprotocol/sdk")).href
) as Record<string, Schema>;

/** Params of the requests an agent sends to the editor. */
const AGENT_REQUESTS: Record<string, string> = {
  "session/request_permission": "zRequestPermissionRequest",
  "fs/read_text_file": "zReadTextFileRequest",
  "fs/write_text_file": "zWriteTextFileRequest",
  "terminal/create": "zCreateTerminalRequest",
  "terminal/output": "zTerminalOutputRequest",
  "terminal/wait_for_exit": "zWaitForTerminalExitRequest",
  "terminal/kill": "zKillTerminalRequest",
  "terminal/release": "zReleaseTerminalRequest",
};

/** Results of the editor's requests, by method. */
const RESPONSES: Record<string, string> = {
  initialize: "zInitializeResponse",
  authenticate: "zAuthenticateResponse",
  "session/new": "zNewSessionResponse",
  "session/load": "zLoadSessionResponse",
  "session/list": "zListSessionsResponse",
  "session/close": "zCloseSessionResponse",
  "session/set_mode": "zSetSessionModeResponse",
  "session/set_config_option": "zSetSessionConfigOptionResponse",
  "session/prompt": "zPromptResponse",
};

/** Fields of `input` missing from `parsed` (what the schema dropped), as paths. */
function dropped(input: unknown, parsed: unknown, path = ""): string[] {
  if (input === null || typeof input !== "object") return [];
  if (parsed === null || typeof parsed !== "object") return [path || "(root)"];
  const out: string[] = [];
  for (const [key, value] of Object.entries(input)) {
    const here = path ? `${path}.${key}` : key;
    if (!(key in parsed)) out.push(here);
    else out.push(...dropped(value, (parsed as Record<string, unknown>)[key], here));
  }
  return out;
}

function check(schemaName: string, value: unknown, what: string): string[] {
  const schema = zod[schemaName];
  if (!schema) return [`${what}: the SDK has no schema ${schemaName}`];
  const result = schema.safeParse(value);
  if (!result.success) return [`${what}: ${result.error?.message}`];
  return dropped(value, result.data).map((field) => `${what}: the schema does not know ${field}`);
}

/**
 * The problems with what an agent sent, given what the editor sent (to know which request each
 * response answers). Responses to methods the SDK does not define (extensions) are left out.
 */
export function schemaProblems(received: readonly unknown[], sent: readonly unknown[]): string[] {
  const methods = new Map<unknown, string>();
  for (const message of sent) {
    const m = message as { id?: unknown; method?: string };
    if (m.method !== undefined && m.id !== undefined) methods.set(m.id, m.method);
  }
  const problems: string[] = [];
  received.forEach((message, i) => {
    const m = message as {
      jsonrpc?: unknown;
      id?: unknown;
      method?: string;
      params?: unknown;
      result?: unknown;
      error?: unknown;
    };
    const what = `message ${i} (${m.method ?? methods.get(m.id) ?? "response"})`;
    if (m.jsonrpc !== "2.0") problems.push(`${what}: jsonrpc is not "2.0"`);
    if (m.method !== undefined) {
      if (m.id === undefined) {
        if (m.method === "session/update") problems.push(...check("zSessionNotification", m.params, what));
        else if (m.method === "$/cancel_request") {
          problems.push(...check("zCancelRequestNotification", m.params, what));
        } else problems.push(`${what}: not a notification an agent sends`);
      } else if (AGENT_REQUESTS[m.method]) problems.push(...check(AGENT_REQUESTS[m.method], m.params, what));
      else problems.push(`${what}: not a request an agent sends`);
      return;
    }
    if ("error" in m) {
      problems.push(...check("zError", m.error, what));
      return;
    }
    const method = methods.get(m.id);
    if (method === undefined) {
      // The answer to a request of nanocode's own is checked as the editor's answer: not ours to send.
      return;
    }
    const schema = RESPONSES[method];
    if (schema) problems.push(...check(schema, m.result, what));
  });
  return problems;
}

/** Everything wrong with what an agent wrote to standard output: lines that were not JSON, and schema problems. */
export function protocolProblems(
  editor: { received: readonly unknown[]; sent: readonly unknown[]; junk: readonly string[] },
): string[] {
  return [
    ...editor.junk.map((line) => `not a JSON message: ${line.slice(0, 200)}`),
    ...schemaProblems(editor.received, editor.sent),
  ];
}
