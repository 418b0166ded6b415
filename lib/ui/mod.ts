/**
 * The interactive terminal UI: the REPL, and the pure pieces it is built from (event rendering,
 * streaming markdown, the line editor, slash commands) for tests and other front ends.
 * @module
 */

export { type ReplOptions, type ReplStdin, type ReplStdout, runRepl } from "./repl.ts";
export type {
  QueuedMessage,
  ReplAgent,
  ReplElicitAnswer,
  ReplElicitor,
  ReplElicitRequest,
  ReplQueue,
  ReplRuntime,
  ReplSessions,
  ReplSkill,
} from "./runtime.ts";
export { type Activity, EventRenderer, formatUsage, type RendererOptions, userLines } from "./render.ts";
export { MarkdownStyler } from "./markdown.ts";
export { type InputLayout, type Key, KeyDecoder, LineEditor } from "./input.ts";
export {
  type CommandHost,
  COMMANDS,
  type CommandSpec,
  helpLines,
  parseCommand,
  runCommand,
} from "./commands/mod.ts";
export { createPalette, type Palette, stripAnsi, visibleWidth, wrapLine } from "./ansi.ts";
export { type PickerAction, SessionPicker, type SessionPickerOptions } from "./session_picker.ts";
export { ElicitPrompt, type ElicitPromptOptions } from "./elicit_prompt.ts";
