/** Elicitation when nobody can be asked: defaults accepted, anything else declined. */
import { assertEquals } from "./support/assert.ts";
import { answerWithDefaults } from "../lib/mcp/mod.ts";

Deno.test("with a default for every required field, the request is accepted with the defaults", () => {
  const answer = answerWithDefaults({
    message: "Confirm the deployment",
    requestedSchema: {
      type: "object",
      properties: {
        target: { type: "string", default: "staging" },
        replicas: { type: "integer", default: 2 },
        note: { type: "string" },
      },
      required: ["target"],
    },
  });
  assertEquals(answer, { action: "accept", content: { target: "staging", replicas: 2 } });
});

Deno.test("a required field without a default is declined, never guessed", () => {
  const answer = answerWithDefaults({
    message: "Your password",
    requestedSchema: { type: "object", properties: { password: { type: "string" } }, required: ["password"] },
  });
  assertEquals(answer, { action: "decline" });
  assertEquals(answerWithDefaults({ message: "", requestedSchema: {} }), { action: "accept", content: {} });
});
