import { Duplex } from 'node:stream';

/**
 * The bridge's own line to the reader, for ReaderClient: what the client writes goes to the device; the bridge
 * pushes device bytes in only while its probe holds the line. Destroying it fails a probe in flight (port_closed).
 */
export class ProbeChannel extends Duplex {
  constructor(private readonly toDevice: (chunk: Buffer) => void) {
    super();
  }

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.toDevice(chunk);
    callback();
  }

  deliver(chunk: Buffer): void {
    if (!this.destroyed) this.push(chunk);
  }
}
