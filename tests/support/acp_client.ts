/**
 * An editor for tests: spawns `main.ts --acp` and drives it with the SDK's client side. It keeps
 * every update, every permission question (answered by a script), editor buffers behind
 * `fs/read_text_file` / `fs/write_text_file`, terminals that run real processes, and every line
 * nanocode wrote to standard output, so a test can check that each is a valid ACP message.
 * @module
 */

import {
  client,
  type ClientCapabilities,
  type ClientContext,
  type CreateTerminalRequest,
  ndJsonStream,
  type PromptResponse,
  RequestError,
  type RequestPermissionRequest,
  type RequestPermissionResponse,
  type SessionNotification,
  type SessionUpdate,
} from "@agentclientprotocol/sdk";
import { type MockLlm, type MockTurn, startMockLlm } from "./mock_llm.ts";
import { spawnMain } from "./run_main.ts";

/** How the editor behaves. */
export interface EditorOptions {
  env: Record<string, string>;
  cwd?: string;
  /** Extra command-line arguments after `--acp`. */
  args?: string[];
  /** Answers permission questions (default: allow once). */
  permission?: (
    request: RequestPermissionRequest,
  ) => Promise<RequestPermissionResponse> | RequestPermissionResponse;
  /** The editor's open buffers by absolute path, for fs/read_text_file; writes land here too. */
  buffers?: Map<string, string>;
}

/** A terminal the test editor created. */
export interface TestTerminal {
  id: string;
  request: CreateTerminalRequest;
  output: string;
  exit?: { exitCode: number | null; signal: string | null };
  killed: boolean;
  released: boolean;
}

/** The editor and what it saw. */
export interface TestEditor extends AsyncDisposable {
  /** Calls the agent: `editor.agent.request("session/new", …)`. */
  agent: ClientContext;
  /** Every `session/update`, in arrival order. */
  notifications: SessionNotification[];
  /** Every permission question. */
  permissions: RequestPermissionRequest[];
  /** fs/write_text_file calls, in order. */
  writes: { path: string; content: string }[];
  /** fs/read_text_file calls, in order. */
  reads: string[];
  terminals: TestTerminal[];
  /** Every message nanocode wrote (parsed lines of its standard output). */
  received: unknown[];
  /** Every message this editor sent. */
  sent: unknown[];
  /** Lines of nanocode's standard output that were not JSON. */
  junk: string[];
  /** What nanocode wrote to standard error so far. */
  stderr(): string;
  /** The updates of one session, from index `from` on. */
  updates(sessionId: string, from?: number): SessionUpdate[];
  /** Resolves once an update matching `test` has arrived (default timeout 10 s). */
  waitFor(test: (update: SessionUpdate) => boolean, timeoutMs?: number): Promise<SessionUpdate>;
  /** Closes standard input and waits for the exit code. */
  close(): Promise<number>;
  child: Deno.ChildProcess;
}

/** Splits a byte stream into lines, parsing each as JSON (or keeping it as junk). */
function recorder(into: unknown[], junk: string[]): WritableStream<Uint8Array> {
  const decoder = new TextDecoder();
  let rest = "";
  const take = (line: string) => {
    if (line.trim() === "") return;
    try {
      into.push(JSON.parse(line));
    } catch {
      junk.push(line);
    }
  };
  return new WritableStream({
    write(chunk) {
      rest += decoder.decode(chunk, { stream: true });
      const lines = rest.split("\n");
      rest = lines.pop()!;
      lines.forEach(take);
    },
    close() {
      take(rest + decoder.decode());
    },
  });
}

/** Starts nanocode in ACP mode and connects to it. */
export function startEditor(options: EditorOptions): TestEditor {
  const child = spawnMain(["--acp", ...(options.args ?? [])], {
    env: options.env,
    cwd: options.cwd,
    stdin: "",
  });
  const received: unknown[] = [];
  const sent: unknown[] = [];
  const junk: string[] = [];
  let stderrText = "";
  const stderrDone = child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (text) => void (stderrText += text) }),
  );
  const [forSdk, forRecord] = child.stdout.tee();
  const recorded = forRecord.pipeTo(recorder(received, junk));
  const stdin = child.stdin.getWriter();
  const sentRecorder = recorder(sent, []).getWriter();
  const toAgent = new WritableStream<Uint8Array>({
    async write(chunk) {
      await sentRecorder.write(chunk);
      await stdin.write(chunk);
    },
    async close() {
      await sentRecorder.close();
      await stdin.close();
    },
  });

  const notifications: SessionNotification[] = [];
  const permissions: RequestPermissionRequest[] = [];
  const writes: { path: string; content: string }[] = [];
  const reads: string[] = [];
  const terminals: TestTerminal[] = [];
  const processes = new Map<string, { child: Deno.ChildProcess; done: Promise<void> }>();
  const waiters = new Set<() => void>();
  const buffers = options.buffers ?? new Map<string, string>();

  const app = client({ name: "test-editor" })
    .onNotification("session/update", ({ params }) => {
      notifications.push(params);
      for (const wake of waiters) wake();
    })
    .onRequest("session/request_permission", async ({ params }) => {
      permissions.push(params);
      return options.permission
        ? await options.permission(params)
        : { outcome: { outcome: "selected", optionId: "allow_once" } };
    })
    .onRequest("fs/read_text_file", ({ params }) => {
      reads.push(params.path);
      const text = buffers.get(params.path);
      if (text === undefined) throw RequestError.resourceNotFound(params.path);
      return { content: text };
    })
    .onRequest("fs/write_text_file", ({ params }) => {
      writes.push({ path: params.path, content: params.content });
      buffers.set(params.path, params.content);
      return {};
    })
    .onRequest("terminal/create", ({ params }) => {
      const terminal: TestTerminal = {
        id: `term-${terminals.length + 1}`,
        request: params,
        output: "",
        killed: false,
        released: false,
      };
      terminals.push(terminal);
      const process = new Deno.Command(params.command, {
        args: params.args ?? [],
        cwd: params.cwd ?? undefined,
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const append = (stream: ReadableStream<Uint8Array>) =>
        stream.pipeThrough(new TextDecoderStream()).pipeTo(
          new WritableStream({ write: (text) => void (terminal.output += text) }),
        );
      const done = Promise.all([append(process.stdout), append(process.stderr), process.status]).then(
        ([, , status]) => {
          terminal.exit = { exitCode: status.signal ? null : status.code, signal: status.signal };
        },
      );
      processes.set(terminal.id, { child: process, done });
      return { terminalId: terminal.id };
    })
    .onRequest("terminal/output", ({ params }) => {
      const terminal = terminals.find((t) => t.id === params.terminalId)!;
      return {
        output: terminal.output,
        truncated: false,
        ...(terminal.exit ? { exitStatus: terminal.exit } : {}),
      };
    })
    .onRequest("terminal/wait_for_exit", async ({ params }) => {
      await processes.get(params.terminalId)!.done;
      return terminals.find((t) => t.id === params.terminalId)!.exit!;
    })
    .onRequest("terminal/kill", ({ params }) => {
      const terminal = terminals.find((t) => t.id === params.terminalId)!;
      terminal.killed = true;
      try {
        processes.get(params.terminalId)!.child.kill("SIGKILL");
      } catch {
        // Already ended.
      }
      return {};
    })
    .onRequest("terminal/release", async ({ params }) => {
      const terminal = terminals.find((t) => t.id === params.terminalId)!;
      terminal.released = true;
      const process = processes.get(params.terminalId)!;
      try {
        process.child.kill("SIGKILL");
      } catch {
        // Already ended.
      }
      await process.done;
      return {};
    });
  const connection = app.connect(ndJsonStream(toAgent, forSdk));

  const editor: TestEditor = {
    agent: connection.agent,
    notifications,
    permissions,
    writes,
    reads,
    terminals,
    received,
    sent,
    junk,
    child,
    stderr: () => stderrText,
    updates: (sessionId, from = 0) =>
      notifications.slice(from).filter((n) => n.sessionId === sessionId).map((n) => n.update),
    waitFor(test, timeoutMs = 10_000) {
      const found = notifications.find((n) => test(n.update));
      if (found) return Promise.resolve(found.update);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`Cannot wait for the update: none matched within ${timeoutMs} ms`));
        }, timeoutMs);
        const check = () => {
          const hit = notifications.find((n) => test(n.update));
          if (!hit) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve(hit.update);
        };
        waiters.add(check);
      });
    },
    async close() {
      await toAgent.close().catch(() => {});
      const status = await child.status;
      await Promise.all([recorded, stderrDone]).catch(() => {});
      connection.close();
      for (const { child: process } of processes.values()) {
        try {
          process.kill("SIGKILL");
        } catch {
          // Already ended.
        }
      }
      return status.code;
    },
    async [Symbol.asyncDispose]() {
      if (!(await Promise.race([child.status.then(() => true), Promise.resolve(false)]))) {
        await editor.close();
      }
    },
  };
  return editor;
}

/** The protocol version this editor speaks. */
export const PROTOCOL = 1;

/** `initialize` with `capabilities`; returns the agent's answer. */
export function initialize(editor: TestEditor, capabilities: ClientCapabilities = {}) {
  return editor.agent.request("initialize", {
    protocolVersion: PROTOCOL,
    clientCapabilities: capabilities,
    clientInfo: { name: "test-editor", version: "1.0.0" },
  });
}

/** The text of every agent message chunk among `updates`, joined. */
export function agentText(updates: readonly SessionUpdate[]): string {
  return updates.flatMap((u) =>
    u.sessionUpdate === "agent_message_chunk" && u.content.type === "text" ? [u.content.text] : []
  ).join("");
}

/** A mock endpoint, a nanocode home, a working folder and an editor on them; `await using` ends all. */
export interface AcpFixture extends AsyncDisposable {
  mock: MockLlm;
  editor: TestEditor;
  /** NANOCODE_DIR. */
  home: string;
  /** The working folder (a real path). */
  cwd: string;
  env: Record<string, string>;
  /** Initializes with `capabilities` and opens a session in `cwd`; returns its id. */
  open(capabilities?: ClientCapabilities): Promise<string>;
  /** Sends a text prompt; resolves with the response. */
  prompt(sessionId: string, text: string): Promise<PromptResponse>;
}

/** What {@link acpFixture} starts from. */
export interface FixtureOptions extends Omit<EditorOptions, "env"> {
  turns?: MockTurn[];
  models?: string[];
  /** Extra environment (the endpoint, key, model and NANOCODE_DIR are set). */
  env?: Record<string, string>;
}

/** Starts a mock endpoint and an editor connected to a fresh nanocode. */
export async function acpFixture(options: FixtureOptions = {}): Promise<AcpFixture> {
  const mock = await startMockLlm({ turns: options.turns ?? [], models: options.models });
  const root = await Deno.realPath(await Deno.makeTempDir({ prefix: "nanocode-acp-" }));
  const home = `${root}/home`;
  const cwd = `${root}/work`;
  await Deno.mkdir(home);
  await Deno.mkdir(cwd);
  const env = {
    OPENAI_BASE_URL: mock.url,
    MODEL: "mock-model",
    NANOCODE_DIR: home,
    OPENAI_API_KEY: "sk-acp-test",
    ...options.env,
  };
  const editor = startEditor({ ...options, env, cwd: options.cwd ?? cwd });
  return {
    mock,
    editor,
    home,
    cwd,
    env,
    async open(capabilities = {}) {
      await initialize(editor, capabilities);
      return (await editor.agent.request("session/new", { cwd, mcpServers: [] })).sessionId;
    },
    prompt: (sessionId, text) =>
      editor.agent.request("session/prompt", { sessionId, prompt: [{ type: "text", text }] }),
    async [Symbol.asyncDispose]() {
      await editor[Symbol.asyncDispose]();
      await mock.close();
      await Deno.remove(root, { recursive: true }).catch(() => {});
    },
  };
}
