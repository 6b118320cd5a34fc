import { Duplex } from 'node:stream';

/**
 * Two in-memory byte ports wired back to back, for unit tests that need no pty.
 * Like a serial cable: destroying one end does not close the other (the peer just stops hearing anything);
 * `unplug()` closes both, as a USB-serial adapter vanishing does.
 */
export interface MemoryPair {
  a: Duplex;
  b: Duplex;
  unplug(): void;
}

export function memoryPair(): MemoryPair {
  const ends: Duplex[] = [];
  const makeEnd = (peerIndex: number) =>
    new Duplex({
      read() {},
      write(chunk: Buffer, _encoding, callback) {
        const peer = ends[peerIndex]!;
        // Copy: the writer may reuse its buffer, a real line would have serialised the bytes already.
        if (!peer.destroyed) peer.push(Buffer.from(chunk));
        callback();
      },
    });
  ends.push(makeEnd(1), makeEnd(0));
  const [a, b] = ends as [Duplex, Duplex];
  return {
    a,
    b,
    unplug() {
      a.destroy();
      b.destroy();
    },
  };
}
