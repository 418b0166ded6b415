/**
 * Page conversion off the main thread. {@link convertPage} hands the page to a Web Worker running
 * `convertHtml`, and terminates the worker the moment its signal aborts (Ctrl-C, or the fetch's
 * timeout), so a large page never holds up the user. The worker starts, and the converter loads, only
 * when a page is converted; each conversion gets its own worker, which ends with it, so none is left
 * to keep the process alive. Where a worker cannot start (no read access to this module, or a module
 * served over the network) the conversion runs on the calling thread and checks the signal between its
 * stages. The same module is the worker's entry point: statically imported by webfetch, it is part of
 * the module graph that `deno compile` embeds.
 * @module
 */

import { type Conversion, convertHtml, type ConvertOptions } from "./html.ts";

const WORKER_NAME = "nanocode-html";

/** What the worker is asked to do. */
interface Job {
  html: string;
  options: Omit<ConvertOptions, "signal">;
}

type Reply = { ok: true; conversion: Conversion } | { ok: false; message: string };

/** The part of a dedicated worker's global scope used here. */
interface WorkerScope {
  name?: string;
  onmessage: ((event: MessageEvent<Job>) => void) | null;
  postMessage(reply: Reply): void;
}

const scope = globalThis as unknown as WorkerScope;

if ("WorkerGlobalScope" in globalThis && scope.name === WORKER_NAME) {
  scope.onmessage = async (event) => {
    try {
      scope.postMessage({ ok: true, conversion: await convertHtml(event.data.html, event.data.options) });
    } catch (error) {
      scope.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) });
    }
  };
}

/** True when this module can be loaded as a worker without asking for a permission. */
function canStartWorker(): boolean {
  const url = new URL(import.meta.url);
  if (url.protocol !== "file:") return false;
  try {
    return Deno.permissions.querySync({ name: "read", path: url }).state === "granted";
  } catch {
    return false;
  }
}

/**
 * Converts a page like `convertHtml`, on a worker that is terminated as soon as `options.signal`
 * aborts; the promise then rejects with the signal's reason. Without read access to this module it
 * converts on the calling thread instead.
 * @example
 * ```ts
 * const { text, cut } = await convertPage(html, { format: "markdown", baseUrl: url, signal });
 * ```
 */
export function convertPage(html: string, options: ConvertOptions = {}): Promise<Conversion> {
  const { signal, ...rest } = options;
  if (signal?.aborted) return Promise.reject(signal.reason);
  let worker: Worker;
  try {
    if (!canStartWorker()) return convertHtml(html, options);
    worker = new Worker(new URL("./html_worker.ts", import.meta.url).href, {
      type: "module",
      name: WORKER_NAME,
    });
  } catch {
    return convertHtml(html, options);
  }
  const { promise, resolve, reject } = Promise.withResolvers<Conversion>();
  const onAbort = () => reject(signal?.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  worker.onmessage = (event: MessageEvent<Reply>) => {
    const reply = event.data;
    if (reply.ok) resolve(reply.conversion);
    else reject(new Error(reply.message));
  };
  worker.onerror = (event) => {
    // Unhandled, a worker's error would end the whole process.
    event.preventDefault();
    reject(new Error(`the converter stopped: ${event.message}`));
  };
  worker.onmessageerror = () => reject(new Error("the converter's answer could not be read"));
  const job: Job = { html, options: rest };
  worker.postMessage(job);
  return promise.finally(() => {
    signal?.removeEventListener("abort", onAbort);
    worker.terminate();
  });
}
