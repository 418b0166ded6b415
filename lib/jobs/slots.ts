/**
 * A cap on how many children run at once: a slot is taken before a child starts and given back when
 * it ends; later children wait their turn, first come first served.
 * @module
 */

/** A first-come, first-served counting semaphore. */
export class Slots {
  #free: number;
  #waiting: { resolve: (release: () => void) => void; reject: (error: unknown) => void }[] = [];

  /** `size` slots, at least one. */
  constructor(size: number) {
    this.#free = Math.max(1, Math.floor(size));
  }

  /** Slots free now. */
  get free(): number {
    return this.#free;
  }

  /** How many wait for a slot. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /**
   * Resolves with a function that gives the slot back (calling it more than once gives back one).
   * Rejects with the signal's reason when `signal` aborts first.
   */
  take(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#free > 0) {
      this.#free--;
      return Promise.resolve(this.#releaser());
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: (release: () => void) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(release);
        },
        reject,
      };
      const onAbort = () => {
        this.#waiting = this.#waiting.filter((w) => w !== waiter);
        reject(signal!.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiting.push(waiter);
    });
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      if (next) next.resolve(this.#releaser());
      else this.#free++;
    };
  }
}
