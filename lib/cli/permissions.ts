/**
 * What Deno's permission flags allow, asked without prompting, for checks made before any request.
 * @module
 */

/** Whether the network permission reaches `host`, asked without prompting. */
export function netGranted(host: string): boolean {
  try {
    return Deno.permissions.querySync({ name: "net", host }).state ===
      "granted";
  } catch {
    return false;
  }
}

/**
 * The line that stops a run before any request when `--allow-net` leaves out the endpoint's host, or
 * undefined when the host may be reached.
 */
export function endpointNetProblem(chatUrl: string): string | undefined {
  const host = new URL(chatUrl).host;
  if (netGranted(host)) return undefined;
  return `Cannot reach the model endpoint ${host}: nanocode was started without network access to it; add --allow-net=${host} (or add ${host} to the existing --allow-net list).`;
}
