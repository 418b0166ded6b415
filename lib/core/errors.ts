/**
 * Error classes callers catch. Messages read `Cannot <do X>: <why>` and say what to do, in one line.
 * @module
 */

/** A request to the model endpoint failed. */
export class ProviderError extends Error {
  /** HTTP status, when there was a response. */
  readonly status?: number;
  /** Whether sending the same request again may succeed. */
  readonly retryable: boolean;

  constructor(message: string, options: { status?: number; retryable?: boolean; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = "ProviderError";
    this.status = options.status;
    this.retryable = options.retryable ?? false;
  }
}

/** The command line or configuration is wrong; the process exits with code 2. */
export class UsageError extends Error {
  /** The process exit code for this error. */
  readonly exitCode = 2;

  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Configuration is missing or invalid at run time (e.g. no API key); the process exits with code 1. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}
