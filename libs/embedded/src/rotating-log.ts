/**
 * A size-bounded log file for what an embedded child prints: past `maxBytes` the file moves to
 * `<file>.1` (replacing the previous one) and a fresh file starts, so the disk use of one child's
 * log never exceeds twice the bound however long it runs or however much it prints.
 */
import { closeSync, openSync, renameSync, statSync, writeSync } from 'node:fs';

export class RotatingLog {
  private fd: number;
  private size: number;

  constructor(
    readonly file: string,
    readonly maxBytes: number,
  ) {
    if (!(maxBytes >= 1)) throw new RangeError(`maxBytes must be at least 1, got ${maxBytes}`);
    this.fd = openSync(file, 'a');
    this.size = statSync(file).size;
  }

  /** Appends `chunk`, rotating first when it would pass the bound; a chunk above it keeps its tail. */
  write(chunk: Buffer | string): void {
    if (this.fd < 0) return;
    let buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (buf.length > this.maxBytes) buf = buf.subarray(buf.length - this.maxBytes);
    if (this.size + buf.length > this.maxBytes) this.rotate();
    writeSync(this.fd, buf);
    this.size += buf.length;
  }

  close(): void {
    if (this.fd < 0) return;
    closeSync(this.fd);
    this.fd = -1;
  }

  private rotate(): void {
    closeSync(this.fd);
    renameSync(this.file, `${this.file}.1`);
    this.fd = openSync(this.file, 'a');
    this.size = 0;
  }
}
