// E-mail over SMTP (nodemailer). security 'starttls' (default) insists on STARTTLS: the message is never sent in the
// clear because a server (or someone in between) did not offer it. 'tls' is implicit TLS (port 465); 'none' is plain
// SMTP, for a relay on the same host. One transport per channel and no pool: each send opens its own connection and
// nodemailer ends it when the message is done (or failed), so nothing stays open between sends.
// Outcomes: SMTP 4xx, network errors, timeouts, TLS and DNS failures retry; 5xx replies (a refused STARTTLS, bad
// credentials, a refused sender, recipient or message) and an untrusted server certificate are permanent, as retrying
// cannot fix them. The password never reaches a reason or a log: nodemailer's logger stays off and replies are scrubbed.
import nodemailer from 'nodemailer';
import type SMTPConnection from 'nodemailer/lib/smtp-connection/index.js';
import { faultLink, faultTextLines, messageBody, messageTitle } from './format.js';
import type { NotifyChannel, NotifyMessage, SendOutcome } from './types.js';

export interface EmailOptions {
  host: string;
  port: number;
  security?: 'starttls' | 'tls' | 'none';
  /** PEM of the CA to trust (a private CA); replaces the system roots for this channel. */
  ca?: string | Buffer;
  auth?: { user: string; pass: string };
  from: string;
  to: string[];
  cc?: string[];
  subjectPrefix?: string;
  /** Connection, greeting and socket-idle timeout each (default 10 s). */
  timeoutMs?: number;
}

export function emailSubject(message: NotifyMessage, prefix?: string): string {
  const first = message.faults[0]!;
  // messageTitle joins the two titles with a space; in a subject line " / " separates Chinese from English better.
  // (A function replacement, so a "$&" in an agent's title stays literal.)
  const pair = `${first.titleZh} ${first.titleEn}`;
  const title = messageTitle(message).replace(pair, () => `${first.titleZh} / ${first.titleEn}`);
  return prefix ? `${prefix} ${title}` : title;
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

/** The text part's facts, one block per fault; every value is escaped (fault titles come from agents). */
export function emailHtml(message: NotifyMessage, subject: string): string {
  const p = (html: string): string => `<p style="margin:0 0 4px">${html}</p>`;
  const blocks = message.faults.map((fault) => {
    const [heading = '', ...rest] = faultTextLines(fault);
    const link = faultLink(fault, message.consoleBaseUrl);
    return [
      '<div style="margin:0 0 16px">',
      p(`<strong>${escapeHtml(heading)}</strong>`),
      ...rest.map((line) => p(escapeHtml(line))),
      ...(link ? [p(`<a href="${escapeHtml(link)}">查看 view</a>`)] : []),
      '</div>',
    ].join('\n');
  });
  return [
    '<!doctype html>',
    `<html lang="zh"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
    '<body style="font-family:sans-serif;font-size:14px">',
    `<h3>${escapeHtml(subject)}</h3>`,
    ...blocks,
    '</body></html>',
  ].join('\n');
}

// Node's certificate verification errors all name the certificate ("self-signed certificate in certificate chain",
// "unable to verify the first certificate", "certificate has expired", "... does not match certificate's altnames");
// nodemailer overwrites their code with ESOCKET, so the message is what is left to tell them from other TLS failures.
const CERTIFICATE = /certificate/i;

/** What the password looks like on the wire: as is, AUTH LOGIN's base64, AUTH PLAIN's base64 blob. */
function secretForms(auth: EmailOptions['auth']): string[] {
  if (!auth?.pass) return [];
  const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
  return [auth.pass, b64(auth.pass), b64(`\u0000${auth.user}\u0000${auth.pass}`)];
}

/** nodemailer's error → outcome; `secrets` are cut out of any text that goes into the reason. */
export function smtpOutcome(error: unknown, secrets: readonly string[]): SendOutcome {
  const err = (error ?? {}) as SMTPConnection.SMTPError;
  const scrub = (text: string): string => secrets.reduce((t, s) => t.split(s).join('***'), text).replace(/\s+/g, ' ').trim();
  const code = typeof err.responseCode === 'number' ? err.responseCode : 0;
  if (code >= 400 && code < 600) {
    const reply = scrub(err.response ?? err.message ?? '');
    if (code < 500) return { kind: 'retry', reason: `SMTP${err.command ? ` ${err.command}` : ''}: ${reply}` };
    const what =
      err.command === 'STARTTLS'
        ? "the SMTP server does not offer STARTTLS (security 'starttls' requires it)"
        : err.code === 'EAUTH'
          ? 'SMTP authentication failed'
          : `the SMTP server refused ${err.command ?? 'the message'}`;
    return { kind: 'permanent', reason: `${what}: ${reply}` };
  }
  const message = scrub(err.message ?? String(error));
  if ((err.code === 'ESOCKET' || err.code === 'ETLS') && CERTIFICATE.test(message)) {
    return { kind: 'permanent', reason: `the SMTP server's certificate is not trusted: ${message} (give ca when a private CA issued it)` };
  }
  if (err.code === 'ETIMEDOUT') return { kind: 'retry', reason: 'SMTP timeout' };
  // Without a reply code these are local: missing credentials, no usable recipient, a message nodemailer cannot build.
  if (err.code === 'EAUTH' || err.code === 'EENVELOPE' || err.code === 'EMESSAGE') return { kind: 'permanent', reason: `SMTP ${err.code}: ${message}` };
  return { kind: 'retry', reason: `SMTP ${err.code ?? 'error'}: ${message}` }; // ESOCKET, ECONNECTION, EDNS, ETLS, EPROTOCOL
}

export function emailChannel(name: string, options: EmailOptions): NotifyChannel {
  const security = options.security ?? 'starttls';
  const timeoutMs = options.timeoutMs ?? 10_000;
  const secrets = secretForms(options.auth);
  // Not pooled (nodemailer's default for SMTP): a connection per message, closed when the message is done.
  const transport = nodemailer.createTransport({
    host: options.host,
    port: options.port,
    secure: security === 'tls',
    requireTLS: security === 'starttls',
    ignoreTLS: security === 'none',
    ...(options.auth ? { auth: { user: options.auth.user, pass: options.auth.pass } } : {}),
    tls: options.ca ? { ca: options.ca } : {},
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
    dnsTimeout: timeoutMs,
    logger: false,
    debug: false,
  });
  return {
    name,
    kind: 'email',
    // An abort is honoured only before the send starts: SMTP has no cheap cancel, and the timeouts bound a send anyway.
    async send(message: NotifyMessage, signal?: AbortSignal): Promise<SendOutcome> {
      if (signal?.aborted) return { kind: 'retry', reason: 'aborted' };
      const subject = emailSubject(message, options.subjectPrefix);
      try {
        // Some recipients refused but others accepted counts as sent: a retry would repeat it to those who have it.
        await transport.sendMail({
          from: options.from,
          to: options.to,
          ...(options.cc?.length ? { cc: options.cc } : {}),
          subject,
          text: messageBody(message, false),
          html: emailHtml(message, subject),
          headers: { 'Auto-Submitted': 'auto-generated' }, // RFC 3834: no vacation replies to the sender
          disableFileAccess: true,
          disableUrlAccess: true,
        });
        return { kind: 'sent' };
      } catch (error) {
        return smtpOutcome(error, secrets);
      }
    },
  };
}
