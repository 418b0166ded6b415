/**
 * Messages the user sends while the agent works. Steering messages reach the model at the next safe
 * boundary (before the next model call); follow-ups run when the agent would otherwise stop.
 * @module
 */

/** Where the loop takes queued user messages from. */
export interface MessageQueue {
  /** Removes and returns every queued steering message. */
  takeSteering(): string[];
  /** Whether a steering message is waiting. */
  hasSteering(): boolean;
  /** Removes and returns the next follow-up, if any. */
  takeFollowUp(): string | undefined;
}

/** A simple in-memory queue the REPL fills and the loop drains. */
export class InputQueue implements MessageQueue {
  #steering: string[] = [];
  #followUps: string[] = [];

  /** Queues a message to deliver before the next model call. */
  steer(text: string): void {
    this.#steering.push(text);
  }

  /** Queues a message to run after the current work. */
  followUp(text: string): void {
    this.#followUps.push(text);
  }

  /** Everything queued, steering first, without removing it. */
  list(): { kind: "steer" | "followup"; text: string }[] {
    return [
      ...this.#steering.map((text) => ({ kind: "steer" as const, text })),
      ...this.#followUps.map((text) => ({ kind: "followup" as const, text })),
    ];
  }

  /** Empties the queue and returns what it held. */
  clear(): { kind: "steer" | "followup"; text: string }[] {
    const all = this.list();
    this.#steering = [];
    this.#followUps = [];
    return all;
  }

  /** Replaces the queue's content. */
  replace(items: { kind: "steer" | "followup"; text: string }[]): void {
    this.#steering = items.filter((i) => i.kind === "steer").map((i) => i.text);
    this.#followUps = items.filter((i) => i.kind === "followup").map((i) => i.text);
  }

  hasSteering(): boolean {
    return this.#steering.length > 0;
  }

  takeSteering(): string[] {
    const taken = this.#steering;
    this.#steering = [];
    return taken;
  }

  takeFollowUp(): string | undefined {
    return this.#followUps.shift();
  }
}
