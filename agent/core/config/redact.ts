/**
 * What of a configuration value may be shown in a message or a log line. Two things never are: a value written where
 * a secret belongs (see SECRET_MARK in schema.ts), and the user info of a URL (`http://user:password@host`).
 */

/**
 * `scheme://` and everything up to the last `@` before white space. Wider than a URL parser's user info on purpose: a
 * password with a `/` or `#` in it, written unencoded, must not show either (a path with an `@` is hidden too).
 */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)\S*@/gi;

/** True when the text holds a URL with user info, e.g. "http://user:password@proxy:3128". */
export function hasUrlCredentials(text: string): boolean {
  URL_USERINFO.lastIndex = 0;
  return URL_USERINFO.test(text);
}

/**
 * Replaces the user info of every URL in `text` with `***`: "http://gp:pw@10.0.0.1:3128" → "http://***@10.0.0.1:3128".
 * The user name goes too: it is half of the credentials, and the host is what a reader needs to recognise the URL.
 */
export function redactUrlCredentials(text: string): string {
  return text.replace(URL_USERINFO, '$1***@');
}

/** How a value written at a secret's setting is described instead of shown. */
export function describeHiddenValue(v: unknown): string {
  const kind = v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;
  return `${kind} (not shown: this is a secret's setting, and a secret is never written into the config file itself)`;
}
