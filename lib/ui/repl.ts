/**
 * The interactive REPL: reads keys in raw mode while the agent works, so the input line stays usable
 * during a run (plain input steers, commands queue follow-ups); renders the run's events into the
 * transcript above a live area with the spinner, the queue, a rule and the `❯ ` prompt.
 * @module
 */

import { type AgentEvent, VERSION } from "../core/mod.ts";
import { createPalette, type Palette, truncateToWidth, visibleWidth, wrapLine } from "./ansi.ts";
import { prepareSideQuestion, SideAnswer, sideNote } from "./btw.ts";
import {
  type CommandHost,
  COMMANDS,
  completions,
  parseCommand,
  resumeSession,
  runCommand,
} from "./commands/mod.ts";
import { fail, note } from "./commands/_output.ts";
import * as externalEditor from "./editor.ts";
import { ElicitPrompt } from "./elicit_prompt.ts";
import { type Key, KeyDecoder, LineEditor } from "./input.ts";
import { EventRenderer, jobResultLine, userLines } from "./render.ts";
import { type LiveView, Screen } from "./screen.ts";
import type { ReplElicitAnswer, ReplElicitRequest, ReplRuntime } from "./runtime.ts";
import { sessionLabel } from "./session_line.ts";
import { SessionPicker } from "./session_picker.ts";
import { HistoryFile, type SessionInfo } from "../session/mod.ts";
import { activityLine, SPINNER_INTERVAL_MS } from "./spinner.ts";

/** The terminal input the REPL reads; `Deno.stdin` fits. */
export interface ReplStdin {
  read(buffer: Uint8Array): Promise<number | null>;
  isTerminal(): boolean;
  setRaw?(mode: boolean): void;
}

/** The terminal output the REPL writes; `Deno.stdout` fits. */
export interface ReplStdout {
  writable: WritableStream<Uint8Array>;
  isTerminal(): boolean;
}

/** Options of {@link runRepl}; each defaults to the real process. */
export interface ReplOptions {
  /** Sent as the first message, as if typed. */
  initialPrompt?: string;
  /** Default `Deno.stdin`. */
  stdin?: ReplStdin;
  /** Default `Deno.stdout`. */
  stdout?: ReplStdout;
  /** Reads an environment variable (default `Deno.env.get`, unset without permission). */
  env?: (name: string) => string | undefined;
  /** The terminal size (default `Deno.consoleSize()`, else 80×24). */
  size?: () => { columns: number; rows: number };
  /** The folder the banner names (default the process cwd). */
  cwd?: string;
  /** Listens for a signal; returns a function that stops listening (default `Deno.addSignalListener`). */
  onSignal?: (signal: ReplSignal, handler: () => void) => () => void;
  /**
   * Opens the session picker first (`nanocode -r` alone); the initial prompt, if any, is sent once it
   * closes. Default false.
   */
  pickSession?: boolean;
}

/** The signals the REPL listens for. */
export type ReplSignal = "SIGINT" | "SIGWINCH" | "SIGTERM" | "SIGHUP";

const encoder = new TextEncoder();

/** Most rows of held command output the live area shows while a tool runs (the rest waits). */
const MAX_HELD_ROWS = 10;

function defaultEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

function defaultSize(): { columns: number; rows: number } {
  try {
    return Deno.consoleSize();
  } catch {
    return { columns: 80, rows: 24 };
  }
}

function defaultOnSignal(signal: ReplSignal, handler: () => void): () => void {
  try {
    Deno.addSignalListener(signal, handler);
    return () => Deno.removeSignalListener(signal, handler);
  } catch {
    // Signals this platform does not know (SIGWINCH on Windows) are simply not heard.
    return () => {};
  }
}

/** A run, a side question or a compaction in progress. */
interface Task {
  controller: AbortController;
  kind: "run" | "btw" | "compact";
}

/** A server's question waiting for the user, and the task that was running when it came. */
interface Ask {
  prompt: ElicitPrompt;
  task: Task | undefined;
  resolve(answer: ReplElicitAnswer): void;
}

/**
 * Runs the interactive REPL until the user quits; returns the exit code (0, or 143/129 when ended by
 * SIGTERM/SIGHUP).
 * @example
 * ```ts
 * const code = await runRepl(runtime, { initialPrompt: "explain this repo" });
 * ```
 */
export async function runRepl(runtime: ReplRuntime, options: ReplOptions = {}): Promise<number> {
  const repl = new Repl(runtime, options);
  return await repl.run();
}

class Repl implements CommandHost {
  readonly runtime: ReplRuntime;
  readonly palette: Palette;
  readonly #options: ReplOptions;
  readonly #stdin: ReplStdin;
  readonly #raw: boolean;
  readonly #writer: WritableStreamDefaultWriter<Uint8Array>;
  readonly #screen: Screen;
  readonly #editor = new LineEditor();
  readonly #decoder = new KeyDecoder();
  readonly #env: (name: string) => string | undefined;
  readonly #size: () => { columns: number; rows: number };
  readonly #cwd: string;
  /** Whether standard output is a terminal: markdown is then laid out (tables, code gutters). */
  readonly #tty: boolean;
  #renderer: EventRenderer;
  #task: Task | undefined;
  #side: SideAnswer | undefined;
  #hint: string | undefined;
  /**
   * Command output held back while a tool runs or a line of the answer is unfinished, printed after
   * the result or the line (see {@link print}).
   */
  #held: string[] = [];
  /** True while the external editor has the terminal. */
  #editing = false;
  #ctrlCArmed = false;
  #spinner: ReturnType<typeof setInterval> | undefined;
  #quit: (() => void) | undefined;
  #quitting = false;
  #exitCode = 0;
  #echoed = false;
  #writes: Promise<void> = Promise.resolve();
  /** The session picker while it is open, and what ends the wait for it. */
  #picker: { picker: SessionPicker; done: () => void } | undefined;
  /** True from `pickSession` until the picker closes (the listing may still be read). */
  #picking = false;
  readonly #history: HistoryFile | undefined;
  #historyLoaded: Promise<void> | undefined;
  /**
   * The MCP servers' questions (elicitation), asked one at a time, first come first: while one is
   * open it has the keyboard, and the input line and the run's queue wait untouched.
   */
  #asks: Ask[] = [];

  constructor(runtime: ReplRuntime, options: ReplOptions) {
    this.runtime = runtime;
    this.#options = options;
    this.#stdin = options.stdin ?? Deno.stdin;
    const stdout = options.stdout ?? Deno.stdout;
    this.#env = options.env ?? defaultEnv;
    this.#size = options.size ?? defaultSize;
    this.#cwd = options.cwd ?? Deno.cwd();
    const tty = stdout.isTerminal();
    this.#tty = tty;
    this.#raw = this.#stdin.isTerminal() && this.#stdin.setRaw !== undefined && tty;
    const noColor = (this.#env("NO_COLOR") ?? "") !== "" || this.#env("TERM") === "dumb";
    this.palette = createPalette(tty && !noColor);
    this.#writer = stdout.writable.getWriter();
    this.#screen = new Screen({
      write: (text) => this.#write(text),
      columns: () => this.#size().columns,
      rows: () => this.#size().rows,
      tty: this.#raw,
      live: (width) => this.#live(width),
    });
    this.#renderer = this.#newRenderer();
    this.#history = runtime.history !== undefined ? new HistoryFile(runtime.history) : undefined;
  }

  get busy(): boolean {
    return this.#task !== undefined;
  }

  get columns(): number {
    return Math.max(10, this.#size().columns);
  }

  async run(): Promise<number> {
    const done = new Promise<void>((resolve) => (this.#quit = resolve));
    const stopListening: (() => void)[] = [];
    const onSignal = this.#options.onSignal ?? defaultOnSignal;
    if (this.#raw) {
      this.#stdin.setRaw!(true);
      // Bracketed paste: a pasted newline must not send the line.
      this.#write("\x1b[?2004h");
      stopListening.push(onSignal("SIGWINCH", () => this.#screen.render()));
    }
    // In cooked mode Ctrl-C arrives as a signal rather than a byte; in raw mode a SIGINT comes from
    // outside (`kill -INT`). Either way it acts as the key, so the terminal is always given back.
    // While the editor runs, its Ctrl-C reaches the whole foreground group and is the editor's alone.
    stopListening.push(onSignal("SIGINT", () => {
      if (this.#editing) return;
      this.#key({ name: "ctrl-c" });
    }));
    // A closed terminal (SIGHUP) or a kill (SIGTERM) ends the REPL like /q, but first stops the
    // run so its commands' process groups are killed rather than left behind.
    // A background job that ends while nothing runs starts a run with its result; during a run the
    // agent delivers it at its next boundary, and #afterRun picks up any that came too late for one.
    const jobs = this.runtime.jobs;
    if (jobs) stopListening.push(jobs.onResult(() => this.#deliverJobs()));
    // The servers' questions come to this prompt while the REPL runs, and go back where they went before.
    const elicit = this.runtime.elicit;
    this.runtime.elicit = (request, context) => this.#ask(request, context);
    stopListening.push(() => {
      if (elicit) this.runtime.elicit = elicit;
      else delete this.runtime.elicit;
    });
    // Someone is here to finish a login: a server wanting more scope mid-call gets its page shown.
    this.runtime.showAuthorization = (server, url) =>
      this.print([
        this.palette.yellow(`! ${server} asks for an authorization: finish it in your browser: ${url}`),
      ]);
    stopListening.push(() => delete this.runtime.showAuthorization);
    for (const [signal, code] of [["SIGTERM", 143], ["SIGHUP", 129]] as const) {
      stopListening.push(onSignal(signal, () => {
        this.#exitCode = code;
        this.quit();
      }));
    }
    // The banner also keeps the live area off the screen's first row, where tmux would copy each
    // erased frame into its scrollback.
    this.print([this.#banner()]);
    this.#echoed = true;
    this.#screen.render();
    // Read while the first frame shows; keys wait for it, so the first ↑ finds earlier runs' lines.
    this.#historyLoaded = this.#history?.load().then((entries) => this.#editor.loadHistory(entries));
    const initial = this.#options.initialPrompt;
    const sendInitial = () => {
      if (initial !== undefined && initial.trim() !== "" && !this.#quitting) this.#submit(initial);
    };
    if (this.#options.pickSession) void this.pickSession().then(sendInitial);
    else sendInitial();
    const reading = this.#readKeys();
    await Promise.race([done, reading]);
    this.#task?.controller.abort();
    this.#cancelAsks(() => true);
    clearInterval(this.#spinner);
    this.#releaseHeld();
    this.#screen.close();
    if (this.#raw) {
      this.#write("\x1b[?2004l");
      try {
        this.#stdin.setRaw!(false);
      } catch {
        // The terminal may be gone already.
      }
    }
    for (const stop of stopListening) stop();
    await this.#history?.written();
    await this.#writes;
    this.#writer.releaseLock();
    return this.#exitCode;
  }

  async #readKeys(): Promise<void> {
    const buffer = new Uint8Array(4096);
    while (!this.#quitting) {
      let n: number | null;
      try {
        n = await this.#stdin.read(buffer);
      } catch {
        n = null;
      }
      if (n === null) {
        this.quit();
        return;
      }
      await this.#historyLoaded;
      const bytes = buffer.slice(0, n);
      const keys = this.#raw ? this.#decoder.feed(bytes) : this.#cookedKeys(bytes);
      for (const key of keys) {
        // The editor needs the terminal to itself: no read may be pending while it runs.
        const pending = this.#key(key);
        if (pending) await pending;
        if (this.#quitting) return;
      }
      this.#screen.render();
    }
  }

  #cookedDecoder = new TextDecoder();
  #cookedKeys(bytes: Uint8Array): Key[] {
    const text = this.#cookedDecoder.decode(bytes, { stream: true });
    const keys: Key[] = [];
    for (const [i, part] of text.split("\n").entries()) {
      if (i > 0) keys.push({ name: "enter" });
      if (part !== "") keys.push({ name: "text", text: part });
    }
    return keys;
  }

  /**
   * Handles one key; returns a promise only when input must wait for it (an external editor, a
   * session being switched to).
   */
  #key(key: Key): Promise<void> | undefined {
    if (this.#asks.length > 0) return this.#askKey(key);
    if (this.#picker) return this.#pickerKey(key);
    if (key.name !== "ctrl-c") {
      this.#ctrlCArmed = false;
      this.#hint = undefined;
    }
    switch (key.name) {
      case "ctrl-c":
        if (this.#side && !this.#side.aborted) {
          // The side question goes first; a further Ctrl-C stops the run as usual.
          this.#side.abort();
          this.#hint = undefined;
        } else if (this.#task) {
          this.#task.controller.abort();
          this.#hint = undefined;
        } else if (this.#editor.text !== "") {
          this.#editor.setText("");
        } else if (this.#ctrlCArmed) {
          this.quit();
        } else {
          this.#ctrlCArmed = true;
          this.#hint = "Press Ctrl-C again to exit.";
        }
        break;
      case "ctrl-d":
        if (this.#editor.text === "") this.quit();
        else this.#editor.handle({ name: "delete" });
        break;
      case "enter": {
        const line = this.#editor.submit();
        void this.#history?.add(line);
        return this.#submit(line);
      }
      case "tab":
        this.#complete();
        break;
      case "ctrl-l":
        this.#write("\x1b[2J\x1b[3J\x1b[H");
        this.#screen.print([this.#banner()]);
        this.#screen.reset();
        break;
      case "escape":
        break;
      default:
        this.#editor.handle(key);
    }
    this.#screen.update();
    return undefined;
  }

  #complete(): void {
    const text = this.#editor.text;
    const match = /^\/(\S*)$/.exec(text);
    if (!match) return;
    const names = completions(match[1], { commands: COMMANDS, skills: this.runtime.skills });
    if (names.length === 0) return;
    let common = names[0];
    for (const name of names) while (!name.startsWith(common)) common = common.slice(0, -1);
    if (names.length === 1) this.#editor.setText(`/${common} `);
    else if (common.length > match[1].length) this.#editor.setText(`/${common}`);
    else this.#hint = names.map((n) => `/${n}`).join("  ");
  }

  #submit(line: string): Promise<void> | undefined {
    if (line.trim() === "") return undefined;
    const command = parseCommand(line);
    if (command) {
      // While the agent works, a queued message shows in the live area; echoing it would only
      // interrupt the run's output.
      const queues = ["steer", "queue", "followup"].includes(command.name) && command.args !== "";
      if (!(queues && this.busy)) this.#echo(line.trim());
      const running = runCommand(this, command).catch((error) =>
        this.print([this.palette.red(`✗ ${error instanceof Error ? error.message : String(error)}`)])
      );
      return command.name === "dequeue" && command.args === "edit" ? running : undefined;
    }
    this.send(line);
    return undefined;
  }

  // ── CommandHost ───────────────────────────────────────────────────────────────────────────────

  /**
   * Prints command output (and echoed input). While a tool runs, or a line of the answer is still
   * streaming, it is held back, shown in the live area, and printed after the tool's result or once
   * the line is finished: it never lands between a call and its result, nor above an unfinished line.
   */
  print(lines: string[]): void {
    if (this.#task && this.#mustHold()) {
      this.#held.push(...lines);
      this.#screen.update();
      return;
    }
    this.#screen.print(lines);
  }

  send(text: string, options: { echo?: boolean } = {}): void {
    if (this.#task) {
      this.runtime.queue.steer(text);
      this.#screen.update();
      return;
    }
    if (options.echo ?? true) this.#echo(text);
    void this.#startRun(text);
  }

  followUp(text: string): void {
    if (this.#task) {
      this.runtime.queue.followUp(text);
      this.#screen.update();
      return;
    }
    void this.#startRun(text);
  }

  async sideQuestion(question: string, options: { tools: boolean }): Promise<void> {
    const p = this.palette;
    if (this.#side || this.#task?.kind === "btw") {
      this.print([p.red("✗ Cannot ask two side questions at once: wait for the answer, or press Ctrl-C.")]);
      return;
    }
    const { agent, prompt } = prepareSideQuestion(this.runtime, question, options);
    if (!this.#task) {
      this.print([sideNote(p)]);
      const aborted = await this.#runTask("btw", (signal) => agent.run(prompt, signal));
      this.#afterRun(aborted);
      return;
    }
    // The agent is working: the answer streams in the live area and lands in the transcript whole,
    // so it never interleaves with the run's own output.
    const side = new SideAnswer(question, { renderer: this.#newRenderer(), palette: p });
    this.#side = side;
    let lines: string[];
    try {
      lines = await side.collect(agent.run(prompt, side.signal), () => this.#screen.update());
    } finally {
      this.#side = undefined;
    }
    this.print(lines);
  }

  async editText(text: string, options: { suffix: string }): Promise<string> {
    return await externalEditor.editText(text, {
      suffix: options.suffix,
      env: this.#env,
      suspend: async () => {
        this.#screen.suspend();
        await this.#writes;
        if (this.#raw) {
          this.#write("\x1b[?2004l");
          this.#stdin.setRaw!(false);
        }
        this.#editing = true;
      },
      resume: () => {
        this.#editing = false;
        if (this.#raw) {
          this.#stdin.setRaw!(true);
          this.#write("\x1b[?2004h");
        }
        this.#screen.resume();
      },
    });
  }

  runQueue(): void {
    if (!this.#task) this.#afterRun(false);
  }

  async compact(instructions: string | undefined): Promise<void> {
    const aborted = await this.#runTask(
      "compact",
      (signal) => this.runtime.agent.compact(instructions, signal),
      { waitFor: "compacting the conversation" },
    );
    this.#afterRun(aborted);
  }

  async pickSession(): Promise<void> {
    if (this.#picking) return;
    this.#picking = true;
    try {
      let sessions: SessionInfo[];
      try {
        sessions = await this.runtime.sessions.list({ all: false });
      } catch (error) {
        const why = error instanceof Error ? error.message.split("\n")[0] : String(error);
        fail(this, `Cannot list the saved sessions: ${why}; /resume <path to a .jsonl file> still works.`);
        return;
      }
      if (this.#quitting) return;
      if (sessions.length === 0) {
        note(this, "No saved sessions for this folder yet; /sessions --all lists every folder's.");
        return;
      }
      const rows = Math.max(3, Math.min(12, this.#size().rows - 6));
      const picker = new SessionPicker(sessions, {
        palette: this.palette,
        current: this.runtime.sessions.path,
        rows,
      });
      // Painted at once rather than on the next frame: the time to the first paint is what users feel.
      await new Promise<void>((done) => {
        this.#picker = { picker, done };
        this.#screen.render();
      });
    } finally {
      this.#picking = false;
    }
  }

  quit(): void {
    if (this.#quitting) return;
    this.#quitting = true;
    this.#task?.controller.abort();
    this.#quit?.();
  }

  /** A key while the picker is open; a pick returns the switch, so later keys wait for it. */
  #pickerKey(key: Key): Promise<void> | undefined {
    const open = this.#picker!;
    const action = open.picker.handle(key);
    if (!action) {
      this.#screen.update();
      return undefined;
    }
    this.#picker = undefined;
    this.#screen.update();
    if (action.type === "cancel") {
      const started = this.runtime.agent.messages.some((m) => m.role === "user");
      note(
        this,
        started ? "No session resumed; this one goes on." : "No session resumed; this is a new one.",
      );
      open.done();
      return undefined;
    }
    const { session } = action;
    const switching = resumeSession(this, { path: session.path, title: sessionLabel(session) });
    return switching.then(() => {}).finally(() => open.done());
  }

  // ── Servers' questions ──────────────────────────────────────────────────────────────────────

  /** Queues a server's question; it is asked once those before it are answered. */
  #ask(
    request: ReplElicitRequest,
    context: { server: string; signal?: AbortSignal },
  ): Promise<ReplElicitAnswer> {
    if (this.#quitting || context.signal?.aborted) return Promise.resolve({ action: "cancel" });
    return new Promise((resolve) => {
      const prompt = new ElicitPrompt(request, context, { palette: this.palette, keepRefused: this.#raw });
      const ask: Ask = { prompt, task: this.#task, resolve };
      // The server gave up on its question (the call was cancelled): it leaves the screen.
      context.signal?.addEventListener("abort", () => {
        this.#answer(ask, { action: "cancel" });
        this.#screen.update();
      }, { once: true });
      this.#asks.push(ask);
      if (this.#asks.length === 1) this.#showAsk();
      this.#screen.update();
    });
  }

  /** Shows the first question; without a live area its lines are printed (and never held back). */
  #showAsk(): void {
    const ask = this.#asks[0];
    if (ask && !this.#raw) this.#screen.print(ask.prompt.questionLines(this.columns, { header: true }));
  }

  /** A key while a question is open: Esc and Ctrl-C cancel it, never the run or nanocode. */
  #askKey(key: Key): undefined {
    const ask = this.#asks[0];
    const answer = ask.prompt.handle(key);
    if (answer) this.#answer(ask, answer);
    else if (key.name === "enter" && !this.#raw) {
      this.#screen.print(ask.prompt.questionLines(this.columns, { header: false }));
    }
    this.#screen.update();
    return undefined;
  }

  /** Sends the answer, notes it in the transcript and asks the next question. */
  #answer(ask: Ask, answer: ReplElicitAnswer): void {
    const index = this.#asks.indexOf(ask);
    if (index < 0) return;
    this.#asks.splice(index, 1);
    ask.resolve(answer);
    this.print(ask.prompt.outcomeLines(answer, this.columns));
    if (index === 0) this.#showAsk();
  }

  /** Cancels the questions `which` picks (those of a task that has ended: nobody waits for them). */
  #cancelAsks(which: (ask: Ask) => boolean): void {
    for (const ask of this.#asks.filter(which)) this.#answer(ask, { action: "cancel" });
  }

  // ── Runs ──────────────────────────────────────────────────────────────────────────────────────

  #newRenderer(): EventRenderer {
    return new EventRenderer({
      palette: this.palette,
      showThinking: this.runtime.config.showThinking,
      width: () => this.columns,
      layout: this.#tty,
    });
  }

  /** Whether command output must wait: a call awaits its result, or a line of the answer is unfinished. */
  #mustHold(): boolean {
    return this.#renderer.toolRunning || this.#renderer.unfinished;
  }

  async #startRun(input: string): Promise<void> {
    const aborted = await this.#runTask("run", (signal) => this.runtime.agent.run(input, signal));
    this.#afterRun(aborted);
  }

  /** Runs one task's events through a fresh renderer; returns whether it was aborted. */
  async #runTask(
    kind: Task["kind"],
    start: (signal: AbortSignal) => AsyncIterable<AgentEvent>,
    options: { waitFor?: string } = {},
  ): Promise<boolean> {
    const controller = new AbortController();
    this.#task = { controller, kind };
    this.#renderer = this.#newRenderer();
    if (options.waitFor) this.#renderer.waitFor(options.waitFor);
    this.#screen.update();
    this.#spinner = setInterval(() => {
      if (this.#renderer.activity) this.#screen.update();
    }, SPINNER_INTERVAL_MS);
    try {
      for await (const event of start(controller.signal)) {
        const lines = this.#renderer.push(event);
        this.#screen.print(lines);
        // Held output goes in once the line it waited for is finished, even if the next one began.
        if (!this.#renderer.toolRunning && (lines.length > 0 || !this.#renderer.unfinished)) {
          this.#releaseHeld();
        }
        this.#screen.update();
      }
    } catch (error) {
      this.#screen.print(this.#renderer.flush());
      this.#screen.print([
        this.palette.red(`✗ ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`),
      ]);
    } finally {
      clearInterval(this.#spinner);
      this.#spinner = undefined;
      this.#screen.print(this.#renderer.flush());
      const task = this.#task;
      this.#cancelAsks((ask) => ask.task !== undefined && ask.task === task);
      this.#task = undefined;
      this.#releaseHeld();
      this.#screen.update();
    }
    return controller.signal.aborted;
  }

  #releaseHeld(): void {
    if (this.#held.length === 0) return;
    this.#screen.print(this.#held);
    this.#held = [];
  }

  /**
   * After a run: what was typed during its last moments (steering the loop had no boundary left to
   * deliver) starts the next run; after an interrupt the queue is kept for the user to decide.
   */
  #afterRun(aborted: boolean): void {
    if (this.#quitting) return;
    const queue = this.runtime.queue;
    const items = queue.list();
    if (items.length === 0) {
      if (!aborted && (this.runtime.jobs?.waiting ?? 0) > 0) this.#deliverJobs();
      return;
    }
    if (aborted) {
      this.print([
        this.palette.dim(
          `${items.length} queued message${
            items.length === 1 ? "" : "s"
          } kept: /queue lists them, /dequeue takes them back.`,
        ),
      ]);
      return;
    }
    queue.clear();
    const steering = items.filter((i) => i.kind === "steer").map((i) => i.text);
    const followUps = items.filter((i) => i.kind === "followup");
    const input = steering.length > 0 ? steering.join("\n\n") : followUps.shift()!.text;
    queue.replace(followUps);
    this.#echo(input);
    void this.#startRun(input);
  }

  /**
   * Starts a run with the background results waiting, each announced by its notice line. The input is
   * not echoed: it is the results' long message, meant for the model.
   */
  #deliverJobs(): void {
    if (this.busy || this.#quitting) return;
    const batch = this.runtime.jobs?.takeInput();
    if (!batch) return;
    if (this.#echoed) this.print([""]);
    this.#echoed = true;
    this.print(batch.notices.map((notice) => this.palette.dim(jobResultLine(notice))));
    void this.#startRun(batch.input);
  }

  #banner(): string {
    const home = this.#env("HOME");
    const cwd = home && this.#cwd.startsWith(home) ? "~" + this.#cwd.slice(home.length) : this.#cwd;
    return this.palette.dim(`nanocode ${VERSION} · ${cwd}`);
  }

  /** Prints what the user sent, set apart from what came before. */
  #echo(text: string): void {
    if (this.#echoed) this.print([""]);
    this.#echoed = true;
    this.print(userLines(text, this.palette));
  }

  // ── Drawing ───────────────────────────────────────────────────────────────────────────────────

  #write(text: string): void {
    const bytes = encoder.encode(text);
    this.#writes = this.#writes.then(() => this.#writer.write(bytes)).catch(() => {});
  }

  #live(width: number): LiveView {
    if (this.#asks.length === 0 && this.#picker) return this.#picker.picker.layout(width);
    const p = this.palette;
    const rows: string[] = [];
    const add = (line: string) => rows.push(...wrapLine(line, width));
    for (const line of this.#renderer.live(width)) add(line);
    // While a question is open the spinner's "Ctrl-C to interrupt" would mislead: Ctrl-C cancels it.
    if (this.#asks.length > 0) return this.#askView(rows, width);
    const activity = this.#renderer.activity;
    if (this.#task && activity) {
      rows.push(truncateToWidth(activityLine(activity, { now: Date.now(), palette: p }), width));
    }
    if (this.#held.length > 0) rows.push(...this.#heldRows(width));
    if (this.#side) rows.push(...this.#side.live(width));
    const queued = this.runtime.queue.list();
    for (const item of queued.slice(0, 3)) {
      const label = item.kind === "steer" ? "steer" : "follow-up";
      rows.push(truncateToWidth(p.dim(`  ↳ queued ${label}: ${item.text.replace(/\n/g, " ⏎ ")}`), width));
    }
    if (queued.length > 3) rows.push(p.dim(`  … ${queued.length - 3} more (/queue lists them)`));
    if (this.#hint) rows.push(truncateToWidth(p.dim(this.#hint), width));
    rows.push(p.dim("─".repeat(width)));
    const prompt = `${p.bold(p.cyan("❯"))} `;
    const layout = this.#editor.layout(width, visibleWidth("❯ "));
    const top = rows.length;
    layout.rows.forEach((row, i) => rows.push((i === 0 ? prompt : "  ") + row));
    const status = !this.#task
      ? "/help for commands"
      : this.#task.kind === "btw"
      ? "side question"
      : this.#task.kind === "compact"
      ? "compacting: what you type is sent after it"
      : "working: type to steer, /queue to follow up";
    rows.push(truncateToWidth(p.dim(`  ${this.runtime.agent.model} · ${status}`), width));
    return { rows, cursorRow: top + layout.cursorRow, cursorCol: layout.cursorCol };
  }

  /** The live area while a server's question is open: the run's rows, a rule, then the question. */
  #askView(rows: string[], width: number): LiveView {
    const p = this.palette;
    const waiting = this.#asks.length - 1;
    rows.push(p.dim("─".repeat(width)));
    if (waiting > 0) {
      rows.push(truncateToWidth(
        p.dim(`  ${waiting} more question${waiting === 1 ? "" : "s"} from MCP servers after this one`),
        width,
      ));
    }
    const view = this.#asks[0].prompt.layout(width);
    const top = rows.length;
    rows.push(...view.rows);
    return { rows, cursorRow: top + view.cursorRow, cursorCol: view.cursorCol };
  }

  /** The held command output as the live area shows it: the first rows, and how many more wait. */
  #heldRows(width: number): string[] {
    const rows = this.#held.flatMap((line) => wrapLine(line, width));
    if (rows.length <= MAX_HELD_ROWS) return rows;
    const more = rows.length - (MAX_HELD_ROWS - 1);
    return [
      ...rows.slice(0, MAX_HELD_ROWS - 1),
      truncateToWidth(
        this.palette.dim(
          `  … ${more} more lines, printed when the ${this.#renderer.toolRunning ? "tool" : "line"} finishes`,
        ),
        width,
      ),
    ];
  }
}
