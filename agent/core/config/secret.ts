import { inspect } from 'node:util';

const REDACTED = '[redacted]';

/**
 * A resolved secret (PIN, password, enrollment code, proxy credential). Its value is reachable only through
 * `reveal()`: JSON, string conversion and util.inspect all print "[redacted]", so it cannot leak into logs,
 * errors, the status API or support bundles by accident.
 */
export class Secret {
  readonly #value: string;
  /** Where it came from, e.g. "env GUARDPOST_PROXY_PASSWORD" or "file /etc/guardpost/pin": safe to show. */
  readonly source: string;

  constructor(value: string, source: string) {
    this.#value = value;
    this.source = source;
  }

  reveal(): string {
    return this.#value;
  }

  toJSON(): string {
    return REDACTED;
  }

  toString(): string {
    return REDACTED;
  }

  [inspect.custom](): string {
    return `Secret(${this.source})`;
  }
}

export function isSecret(v: unknown): v is Secret {
  return v instanceof Secret;
}
