/**
 * A real OCSP responder for tests: `openssl ocsp` in file mode behind a small Node HTTP server on 127.0.0.1. File
 * mode reads the CA's index.txt on every request, so a certificate revoked during a test is answered "revoked" at
 * once (the `-port` server mode reads the index only at start).
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { openssl, SM2_ID } from './openssl.js';
import type { Family } from './pki-generate.js';

export type ResponderBehaviour = 'normal' | 'hang' | 'http500' | 'garbage';

export interface ResponderOptions {
  /** The PKI directory (a working copy). */
  dir: string;
  family: Family;
  behaviour: ResponderBehaviour;
}

export interface OcspResponder {
  url: string;
  /** Requests received so far (answered or not). */
  requests: number;
  setBehaviour(b: ResponderBehaviour): void;
  close(): Promise<void>;
}

export async function startOcspResponder(opts: Partial<ResponderOptions> & { dir: string; family: Family }): Promise<OcspResponder> {
  let behaviour: ResponderBehaviour = opts.behaviour ?? 'normal';
  const { dir, family } = opts;
  const hanging = new Set<http.ServerResponse>();
  let seq = 0;
  const state = { requests: 0 };

  const answer = async (req: Buffer): Promise<Buffer> => {
    const n = `${process.pid}-${++seq}`;
    const reqFile = path.join(dir, `ocsp-req-${n}.der`);
    const respFile = path.join(dir, `ocsp-resp-${n}.der`);
    await writeFile(reqFile, req);
    try {
      await openssl(
        [
          'ocsp', '-index', `ca/${family}-int/index.txt`, '-CA', `${family}-int.pem`, '-rsigner', `${family}-ocsp.pem`, '-rkey', `${family}-ocsp.key`,
          ...(family === 'sm2' ? ['-rmd', 'sm3', '-rsigopt', SM2_ID] : []), '-reqin', reqFile, '-respout', respFile, '-nmin', '5',
        ],
        dir,
      );
      return await readFile(respFile);
    } finally {
      await rm(reqFile, { force: true });
      await rm(respFile, { force: true });
    }
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.requests++;
      if (behaviour === 'hang') {
        hanging.add(res);
        return;
      }
      if (behaviour === 'http500') {
        res.writeHead(500).end('responder broken');
        return;
      }
      if (behaviour === 'garbage') {
        res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(Buffer.from('not an OCSP response'));
        return;
      }
      answer(Buffer.concat(chunks)).then(
        (body) => res.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(body),
        (err: Error) => res.writeHead(500).end(err.message),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    get requests() {
      return state.requests;
    },
    setBehaviour(b) {
      behaviour = b;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const r of hanging) r.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A static file server on 127.0.0.1 (CRL distribution point); `close()` makes it unreachable. */
export async function startFileServer(files: Record<string, () => Promise<Buffer> | Buffer>): Promise<{ url: string; hits: number; close(): Promise<void> }> {
  const state = { hits: 0 };
  const server = http.createServer((req, res) => {
    state.hits++;
    const get = files[req.url ?? ''];
    if (!get) {
      res.writeHead(404).end();
      return;
    }
    Promise.resolve(get()).then(
      (body) => res.writeHead(200, { 'content-type': 'application/pkix-crl' }).end(body),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get hits() {
      return state.hits;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
