// A loopback SMTP receiver for the e-mail tests (smtp-server): STARTTLS or implicit TLS with a certificate made here,
// optional AUTH PLAIN/LOGIN, a minimal MIME reader (mailparser is not installed), and a scripted queue of replies to
// DATA (an SMTP code, or 'hang': read the message and never answer, so the client's socket timeout must fire).
import { generateKeyPairSync } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';
import forge from 'node-forge';
import { SMTPServer, type SMTPServerAuthentication, type SMTPServerSession } from 'smtp-server';

export interface TestCertificates {
  caPem: string; // the private CA a client must be given to trust the server
  certPem: string; // server certificate for localhost / 127.0.0.1, issued by that CA
  keyPem: string;
}

/** A private CA and a server certificate it issued; the keys come from node:crypto (forge's own RSA is slow). */
export function makeTestCertificates(): TestCertificates {
  const keys = () => generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs1', format: 'pem' } });
  const build = (serial: string, cn: string, publicPem: string, extensions: object[]): forge.pki.Certificate => {
    const cert = forge.pki.createCertificate();
    cert.serialNumber = serial;
    cert.publicKey = forge.pki.publicKeyFromPem(publicPem);
    cert.validity.notBefore = new Date(Date.now() - 3_600_000);
    cert.validity.notAfter = new Date(Date.now() + 86_400_000);
    cert.setSubject([{ name: 'commonName', value: cn }]);
    cert.setExtensions([...extensions, { name: 'subjectKeyIdentifier' }]);
    return cert;
  };
  const caKeys = keys();
  const caKey = forge.pki.privateKeyFromPem(caKeys.privateKey);
  const ca = build('01', 'Guardpost test CA', caKeys.publicKey, [{ name: 'basicConstraints', cA: true, critical: true }, { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true }]);
  ca.setIssuer(ca.subject.attributes);
  ca.sign(caKey, forge.md.sha256.create());
  const serverKeys = keys();
  const server = build('02', 'localhost', serverKeys.publicKey, [
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
  ]);
  server.setIssuer(ca.subject.attributes);
  server.sign(caKey, forge.md.sha256.create());
  return { caPem: forge.pki.certificateToPem(ca), certPem: forge.pki.certificateToPem(server), keyPem: serverKeys.privateKey };
}

export interface ReceivedMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  secure: boolean; // the session was over TLS (STARTTLS or implicit)
  user?: string; // who authenticated
  raw: string;
}

export type SmtpScriptStep = { code: number; text: string } | 'hang';

export interface SmtpReceiverOptions {
  tls: 'starttls' | 'implicit' | 'none'; // none: STARTTLS is not offered and refused if asked
  certificates?: TestCertificates; // required unless tls is none
  auth?: { user: string; pass: string };
  authMethods?: Array<'PLAIN' | 'LOGIN'>;
}

export interface SmtpReceiver {
  host: string;
  port: number;
  received: ReceivedMail[]; // accepted messages only
  attempts: number; // messages that reached the end of DATA
  authFailures: number;
  script: SmtpScriptStep[]; // consumed one per message; empty = 250 accepted
  openConnections(): number; // client sockets the server still has open
  close(): Promise<void>;
}

// --- minimal MIME: headers, RFC 2047 words, multipart, quoted-printable and base64, UTF-8 ---

const WORD = /=\?([^?]+)\?([BbQq])\?([^?]*)\?=/;
const WORD_RUN = new RegExp(`${WORD.source}(?:\\s+${WORD.source})*`, 'g');

function qpBytes(text: string): Buffer {
  const bytes = Buffer.from(text.replace(/=\r?\n/g, ''), 'latin1');
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i += 1) {
    const hex = bytes.subarray(i + 1, i + 3).toString('latin1');
    if (bytes[i] === 0x3d && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      out.push(parseInt(hex, 16));
      i += 2;
    } else out.push(bytes[i]!);
  }
  return Buffer.from(out);
}

// Adjacent encoded words are joined as bytes first: a split may fall inside a multi-byte character.
function decodeWords(value: string): string {
  return value.replace(WORD_RUN, (run) => {
    const parts = [...run.matchAll(new RegExp(WORD.source, 'g'))].map(([, , enc, text = '']) =>
      enc!.toUpperCase() === 'B' ? Buffer.from(text, 'base64') : qpBytes(text.replace(/_/g, ' ')),
    );
    return Buffer.concat(parts).toString('utf8');
  });
}

interface Part {
  headers: Map<string, string>;
  body: string; // latin1: one char per byte
}

function splitPart(raw: string): Part {
  const at = raw.indexOf('\r\n\r\n');
  const head = at < 0 ? raw : raw.slice(0, at);
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r\n(?=[ \t])/g, '').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body: at < 0 ? '' : raw.slice(at + 4) };
}

/** Every leaf part, depth first: type (lower case) and its decoded UTF-8 text. */
function leaves(part: Part): Array<{ type: string; text: string }> {
  const type = part.headers.get('content-type') ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  if (/^multipart\//i.test(type) && boundary) {
    const pieces = part.body.split(`--${boundary}`).slice(1);
    return pieces.filter((p) => !p.startsWith('--')).flatMap((p) => leaves(splitPart(p.replace(/^\r\n/, ''))));
  }
  const encoding = (part.headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  const bytes = encoding === 'base64' ? Buffer.from(part.body, 'base64') : encoding === 'quoted-printable' ? qpBytes(part.body) : Buffer.from(part.body, 'latin1');
  return [{ type: type.split(';')[0]!.trim().toLowerCase(), text: bytes.toString('utf8').replace(/\r\n$/, '') }];
}

function parseMail(raw: Buffer, session: SMTPServerSession): ReceivedMail {
  const top = splitPart(raw.toString('latin1'));
  const parts = leaves(top);
  const user = session.user as string | undefined;
  return {
    from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
    to: session.envelope.rcptTo.map((r) => r.address),
    subject: decodeWords(Buffer.from(top.headers.get('subject') ?? '', 'latin1').toString('utf8')),
    text: parts.find((p) => p.type === 'text/plain')?.text ?? '',
    html: parts.find((p) => p.type === 'text/html')?.text ?? '',
    secure: Boolean(session.secure),
    ...(user ? { user } : {}),
    raw: raw.toString('utf8'),
  };
}

// --- the server ---

export async function startSmtpReceiver(options: SmtpReceiverOptions): Promise<SmtpReceiver> {
  if (options.tls !== 'none' && !options.certificates) throw new Error('startSmtpReceiver: TLS needs certificates');
  const sockets = new Set<Socket>(); // raw and TLS sockets, for close(); an upgraded raw socket never emits 'close'
  const track = (socket: Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  const receiver: SmtpReceiver = {
    host: '127.0.0.1', port: 0, received: [], attempts: 0, authFailures: 0, script: [],
    openConnections: () => server.connections.size, // smtp-server drops a session when its (TLS) socket closes
    close: async () => undefined,
  };
  const server = new SMTPServer({
    secure: options.tls === 'implicit',
    ...(options.certificates ? { key: options.certificates.keyPem, cert: options.certificates.certPem } : {}),
    disabledCommands: [...(options.tls === 'none' ? ['STARTTLS'] : []), ...(options.auth ? [] : ['AUTH'])],
    authOptional: !options.auth,
    allowInsecureAuth: options.tls === 'none',
    authMethods: options.authMethods ?? ['PLAIN', 'LOGIN'],
    disableReverseLookup: true, // no DNS: the tests stay on loopback
    logger: false,
    closeTimeout: 1000,
    onSecure(socket, _session, callback) {
      track(socket);
      callback();
    },
    onAuth(auth: SMTPServerAuthentication, _session, callback) {
      if (options.auth && auth.username === options.auth.user && auth.password === options.auth.pass) return callback(null, { user: auth.username });
      receiver.authFailures += 1;
      callback(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        receiver.attempts += 1;
        const step = receiver.script.shift();
        if (step === 'hang') return; // never answer: only the client's timeout ends this
        if (step) return callback(Object.assign(new Error(step.text), { responseCode: step.code }));
        receiver.received.push(parseMail(Buffer.concat(chunks), session));
        callback(null, '2.0.0 queued');
      });
    },
  });
  server.on('error', () => undefined); // a client that rejects our certificate resets the connection: expected here
  server.server.on('connection', track);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  receiver.port = (server.server.address() as AddressInfo).port;
  receiver.close = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return receiver;
}
