import { assertEquals } from "./support/assert.ts";
import { pump } from "../lib/proc/mod.ts";

Deno.test("pump hands out chunks of a child's output that stay intact and own only their bytes", async () => {
  const child = new Deno.Command("bash", {
    args: [
      "-c",
      "for i in $(seq 1 200); do printf '%04d:%s\\n' $i $(head -c 600 /dev/zero | tr '\\0' x); done",
    ],
    stdout: "piped",
    stderr: "null",
    stdin: "null",
  }).spawn();
  const chunks: Uint8Array[] = [];
  await pump(child.stdout, (bytes) => void chunks.push(bytes)).done;
  await child.status;
  const decoder = new TextDecoder();
  const text = chunks.map((chunk) => decoder.decode(chunk, { stream: true })).join("") + decoder.decode();
  const lines = text.trimEnd().split("\n");
  assertEquals(lines.length, 200);
  lines.forEach((line, i) => assertEquals(line, `${String(i + 1).padStart(4, "0")}:${"x".repeat(600)}`));
  for (const chunk of chunks) assertEquals(chunk.buffer.byteLength, chunk.length);
});

Deno.test("pump reads a stream that is not a byte stream too", async () => {
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const part of ["a", "bc", "def"]) controller.enqueue(encoder.encode(part));
      controller.close();
    },
  });
  const seen: string[] = [];
  await pump(stream, (bytes) => void seen.push(new TextDecoder().decode(bytes))).done;
  assertEquals(seen, ["a", "bc", "def"]);
});

Deno.test("pump stops a read that is waiting when told to", async () => {
  const stream = new ReadableStream<Uint8Array>({ type: "bytes", pull: () => new Promise(() => {}) });
  const reading = pump(stream, () => {});
  reading.stop();
  await reading.done; // resolves rather than hanging on the read
});
