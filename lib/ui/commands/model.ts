/**
 * `/model`: the current model and the endpoint's list, a search of it, and the switch to an id.
 * @module
 */

import { errorMessage, fail, note } from "./_output.ts";
import type { CommandHost, CommandSpec } from "./mod.ts";

/** Most model ids `/model` prints before it asks for a search instead (OpenRouter lists hundreds). */
const MAX_LISTED = 60;

/** Model ids containing every word of `query` (case-insensitive). */
export function matchModels(ids: readonly string[], query: string): string[] {
  const words = query.toLowerCase().split(/\s+/).filter((w) => w !== "");
  return ids.filter((id) => words.every((w) => id.toLowerCase().includes(w)));
}

async function listModels(host: CommandHost): Promise<string[]> {
  return await host.runtime.provider.listModels(AbortSignal.timeout(15_000));
}

async function modelCommand(host: CommandHost, args: string): Promise<void> {
  const { agent, config } = host.runtime;
  const p = host.palette;
  if (args === "") {
    host.print([`Model: ${p.bold(agent.model)}${config.baseUrl ? p.dim(` at ${config.baseUrl}`) : ""}`]);
    let ids: string[];
    try {
      ids = await listModels(host);
    } catch (error) {
      fail(host, `${errorMessage(error)}`);
      note(host, "Set a model id directly with /model <id>.");
      return;
    }
    if (ids.length === 0) return note(host, "The endpoint lists no models; set one with /model <id>.");
    const shown = ids.length > MAX_LISTED ? ids.slice(0, MAX_LISTED) : ids;
    host.print([
      p.dim(`Models at the endpoint (${ids.length}):`),
      ...shown.map((id) => (id === agent.model ? `${p.green("●")} ${p.bold(id)}` : `  ${id}`)),
    ]);
    if (shown.length < ids.length) {
      note(host, `  … ${ids.length - shown.length} more: /model <words> searches them.`);
    }
    note(host, "Switch with /model <id>; /model <words> searches.");
    return;
  }
  let ids: string[];
  try {
    ids = await listModels(host);
  } catch (error) {
    agent.setModel(args);
    host.print([`Model set to ${p.bold(args)}.`]);
    note(host, `The endpoint cannot list models (${errorMessage(error)}), so the id was not checked.`);
    return;
  }
  if (ids.includes(args)) {
    agent.setModel(args);
    host.print([`Model set to ${p.bold(args)}.`]);
    return;
  }
  const matches = matchModels(ids, args);
  if (matches.length === 0) {
    fail(host, `No model at the endpoint matches "${args}": run /model to list them.`);
    return;
  }
  host.print([
    p.dim(`Models matching "${args}" (${matches.length}):`),
    ...matches.map((id) => (id === agent.model ? `${p.green("●")} ${p.bold(id)}` : `  ${id}`)),
  ]);
  note(host, "Switch with /model <exact id>.");
}

/** `/model [id-or-search]`. */
export const MODEL_COMMAND: CommandSpec = {
  name: "model",
  usage: "/model [id-or-search]",
  summary: "show the model and the endpoint's models; switch to an id, or search",
  run: modelCommand,
};
