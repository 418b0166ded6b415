/**
 * Looking processes up in the process table, to check that nothing a test started is left behind.
 * @module
 */

/** Whether a process with that pid runs (a zombie, exited but not yet reaped, does not count). */
export async function processAlive(pid: number): Promise<boolean> {
  if (Deno.build.os === "linux") {
    try {
      const stat = await Deno.readTextFile(`/proc/${pid}/stat`);
      return !/^\d+ \(.*\) [ZX]/s.test(stat);
    } catch {
      return false;
    }
  }
  const { stdout } = await new Deno.Command("ps", {
    args: ["-o", "stat=", "-p", String(pid)],
    stdout: "piped",
  })
    .output();
  const state = new TextDecoder().decode(stdout).trim();
  return state !== "" && !state.startsWith("Z");
}

/** Waits until none of `pids` runs, or `timeoutMs` passed; returns those still running. */
export async function waitGone(pids: readonly number[], timeoutMs = 5000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const alive = [];
    for (const pid of pids) if (await processAlive(pid)) alive.push(pid);
    if (alive.length === 0 || Date.now() > deadline) return alive;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The pids a fixture logged (`start <pid>` and `grandchild <pid>` lines). */
export async function loggedPids(logPath: string): Promise<number[]> {
  let text = "";
  try {
    text = await Deno.readTextFile(logPath);
  } catch {
    return [];
  }
  return [...text.matchAll(/^(?:start|grandchild) (\d+)/gm)].map((m) => Number(m[1]));
}

/**
 * The pids of running processes whose command line holds `text` (e.g. a test's unique temp path),
 * from /proc on Linux and `ps` elsewhere. Zombies do not count.
 */
export async function processesMentioning(text: string): Promise<number[]> {
  const found: number[] = [];
  if (Deno.build.os === "linux") {
    for await (const entry of Deno.readDir("/proc")) {
      if (!/^\d+$/.test(entry.name)) continue;
      try {
        const cmdline = (await Deno.readTextFile(`/proc/${entry.name}/cmdline`)).replaceAll("\0", " ");
        if (cmdline.includes(text) && await processAlive(Number(entry.name))) found.push(Number(entry.name));
      } catch {
        // Gone while we looked.
      }
    }
    return found;
  }
  const { stdout } = await new Deno.Command("ps", { args: ["-eo", "pid=,stat=,args="], stdout: "piped" })
    .output();
  for (const line of new TextDecoder().decode(stdout).split("\n")) {
    const match = line.trim().match(/^(\d+)\s+(\S+)\s+(.*)$/);
    if (match && !match[2].startsWith("Z") && match[3].includes(text)) found.push(Number(match[1]));
  }
  return found;
}
