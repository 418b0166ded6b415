/**
 * The steering and follow-up queue from the input line: `/steer`, `/queue`, `/followup`, and
 * `/dequeue` (which takes the queue back, or lets the user edit it as JSON).
 * @module
 */

import type { QueuedMessage } from "../runtime.ts";
import { errorMessage, fail, note, oneLine } from "./_output.ts";
import type { CommandHost, CommandSpec } from "./mod.ts";

/**
 * Reads back the queue as edited in `/dequeue edit`: a JSON array of `{kind, text}` with kind
 * `steer` or `followup`. Throws a one-line error saying what is wrong.
 */
export function parseQueueJson(text: string): QueuedMessage[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    // JSON.parse quotes the input, newlines included; the message must stay on one line.
    const why = oneLine(error instanceof Error ? error.message : String(error));
    throw new SyntaxError(`Cannot read the edited queue: invalid JSON (${why}); the queue is unchanged.`);
  }
  if (!Array.isArray(value)) {
    throw new TypeError("Cannot read the edited queue: expected a JSON array; the queue is unchanged.");
  }
  return value.map((item, i) => {
    const entry = item as Partial<QueuedMessage> | null;
    if (
      entry === null || typeof entry !== "object" || (entry.kind !== "steer" && entry.kind !== "followup") ||
      typeof entry.text !== "string"
    ) {
      throw new TypeError(
        `Cannot read the edited queue: item ${
          i + 1
        } must be {"kind": "steer" | "followup", "text": "…"}; the queue is unchanged.`,
      );
    }
    return { kind: entry.kind, text: entry.text };
  });
}

function describeQueue(items: QueuedMessage[]): string[] {
  return items.map((item, i) =>
    `  ${i + 1}. ${item.kind === "steer" ? "steer" : "follow-up"}: ${item.text.replace(/\n/g, " ⏎ ")}`
  );
}

/**
 * `/dequeue edit`: the messages leave the queue while the editor is open, so the agent cannot deliver
 * one that is also coming back from the editor; anything queued meanwhile goes after the edited ones.
 */
export async function editQueue(host: CommandHost): Promise<void> {
  const queue = host.runtime.queue;
  const wasBusy = host.busy;
  const original = queue.clear();
  const putBack = (items: QueuedMessage[]): number => {
    const meanwhile = queue.clear();
    queue.replace([...items, ...meanwhile]);
    return meanwhile.length;
  };
  const keep = (error: unknown, unchanged: string) => {
    putBack(original);
    fail(host, `${errorMessage(error)}${unchanged}`);
    if (wasBusy && !host.busy) host.runQueue();
  };
  let edited: string;
  try {
    edited = await host.editText(JSON.stringify(original, null, 2) + "\n", { suffix: ".json" });
  } catch (error) {
    return keep(error, " The queue is unchanged.");
  }
  let items: QueuedMessage[];
  try {
    items = parseQueueJson(edited);
  } catch (error) {
    // parseQueueJson's messages already end by saying so.
    return keep(error, "");
  }
  const added = putBack(items);
  const stored = queue.list();
  note(
    host,
    `Queue replaced: ${items.length} message${items.length === 1 ? "" : "s"}${
      added > 0 ? `, then ${added} queued while the editor was open` : ""
    }.`,
  );
  // Printed as stored (steering first), which is the order the messages are delivered in.
  if (stored.length > 0) host.print(describeQueue(stored));
  // A run that ended while the editor was open found the queue empty: start the next one now.
  if (wasBusy && !host.busy) host.runQueue();
}

/** `/steer`, `/queue`, `/followup` and `/dequeue`, in the order `/help` lists them. */
export const QUEUE_COMMANDS: readonly CommandSpec[] = [
  {
    name: "steer",
    usage: "/steer <message>",
    summary: "tell the working agent something before its next step (plain input does the same)",
    run(host, args) {
      if (args === "") return fail(host, "Cannot steer with nothing: /steer <message>.");
      host.send(args, { echo: false });
    },
  },
  {
    name: "queue",
    usage: "/queue [message]",
    summary: "queue a follow-up for after the current work; alone, list the queue",
    run(host, args) {
      if (args !== "") return host.followUp(args);
      const items = host.runtime.queue.list();
      if (items.length === 0) return note(host, "The queue is empty.");
      host.print([host.palette.dim(`Queued (${items.length}):`), ...describeQueue(items)]);
    },
  },
  {
    name: "followup",
    usage: "/followup <message>",
    summary: "queue a follow-up for after the current work",
    run(host, args) {
      if (args === "") return fail(host, "Cannot queue an empty follow-up: /followup <message>.");
      host.followUp(args);
    },
  },
  {
    name: "dequeue",
    usage: "/dequeue [edit]",
    summary: "take the queued messages back (printed); edit: change them as JSON in $VISUAL/$EDITOR",
    async run(host, args) {
      const queue = host.runtime.queue;
      if (args === "edit") return await editQueue(host);
      if (args !== "") return fail(host, `Cannot dequeue "${args}": use /dequeue or /dequeue edit.`);
      const items = queue.clear();
      if (items.length === 0) return note(host, "The queue is empty.");
      host.print([
        host.palette.dim(`Took ${items.length} message${items.length === 1 ? "" : "s"} off the queue:`),
        ...items.map((item) => item.text),
      ]);
    },
  },
];
