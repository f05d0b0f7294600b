/**
 * The sustained benchmark's public load: CLIENTS worker threads (sender.worker.ts), each holding
 * half of a step's senders and every CLIENTS-th transfer of the step, so that together they send
 * transfer j at `startAt + j / rate`. Signing happens before the step, sending on the schedule.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { CLIENTS } from '../load';
import { progress } from '../support';
import type { SenderCommand, SenderInit, SenderResult, SenderSigned } from './sender.worker';

/** Connections per client: enough that at a few thousand tx/s requests rarely queue for one. */
const CONNECTIONS = 48;

/** Epoch ms with sub-millisecond resolution, comparable across threads. */
export const epochMs = (): number => performance.timeOrigin + performance.now();

class SenderClient {
  private readonly worker: Worker;
  private pending: ((r: SenderSigned | SenderResult) => void) | undefined;

  constructor(url: string) {
    this.worker = new Worker(join(__dirname, 'sender.worker.js'), {
      workerData: { url, connections: CONNECTIONS } satisfies SenderInit,
    });
    this.worker.on('message', (r: SenderSigned | SenderResult) => this.pending?.(r));
    this.worker.on('error', (e) => progress(`sustained: load client failed: ${String(e)}`));
  }

  ask<T extends SenderSigned | SenderResult>(cmd: SenderCommand): Promise<T> {
    return new Promise((resolve) => {
      this.pending = resolve as (r: SenderSigned | SenderResult) => void;
      this.worker.postMessage(cmd);
    });
  }

  async close(): Promise<void> {
    this.worker.postMessage({ kind: 'close' } satisfies SenderCommand);
    await new Promise((r) => this.worker.once('exit', r));
  }
}

/** What the clients did in one step, by global transfer index j (scheduled at j / rate). */
export interface StepSends {
  count: number;
  ok: (j: number) => boolean;
  /** Answer time minus scheduled time, ms; NaN without an answer. */
  answerMs: (j: number) => number;
  /** Sampled transfers: global index and hash. */
  samples: { j: number; hash: string }[];
  maxSendLagMs: number;
  errors: Record<number, number>;
  firstError?: string;
  signMs: number;
}

export class Senders {
  private readonly clients: SenderClient[];
  private signed: SenderSigned[] = [];
  private sampleEvery = 1;
  private signMs = 0;

  constructor(url: string) {
    this.clients = Array.from({ length: CLIENTS }, () => new SenderClient(url));
  }

  /**
   * Signs `count` transfers from `keys` (split between the clients, client w taking transfers
   * j = w, w + W, ...); every `sampleEvery`-th transfer of each client is kept for the latency
   * sample. Resolves with the wall time signing took, in ms.
   */
  async sign(keys: string[], count: number, sampleEvery: number): Promise<number> {
    const W = this.clients.length;
    const t0 = epochMs();
    this.sampleEvery = sampleEvery;
    this.signed = await Promise.all(
      this.clients.map((c, w) =>
        c.ask<SenderSigned>({
          kind: 'sign',
          keys: keys.filter((_, k) => k % W === w),
          count: Math.floor(count / W) + (w < count % W ? 1 : 0),
          sampleEvery,
        }),
      ),
    );
    this.signMs = epochMs() - t0;
    return this.signMs;
  }

  /** Sends what was signed, transfer j at `startAt + j * 1000 / rate` (epoch ms). */
  async send(startAt: number, rate: number): Promise<StepSends> {
    const W = this.clients.length;
    const rs = await Promise.all(
      this.clients.map((c, w) =>
        c.ask<SenderResult>({
          kind: 'go',
          startAt,
          offsetMs: (w * 1000) / rate,
          intervalMs: (W * 1000) / rate,
        }),
      ),
    );
    const errors: Record<number, number> = {};
    for (const r of rs) for (const [k, n] of Object.entries(r.errors)) errors[+k] = (errors[+k] ?? 0) + n;
    const samples = this.signed.flatMap((s, w) =>
      s.sampled.map((hash, k) => ({ j: w + W * k * this.sampleEvery, hash })),
    );
    return {
      count: rs.reduce((a, r) => a + r.ok.length, 0),
      ok: (j) => rs[j % W].ok[Math.floor(j / W)] === 1,
      answerMs: (j) => rs[j % W].answerMs[Math.floor(j / W)],
      samples,
      maxSendLagMs: Math.max(...rs.map((r) => r.maxSendLagMs)),
      errors,
      firstError: rs.find((r) => r.firstError)?.firstError,
      signMs: this.signMs,
    };
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.close()));
  }
}
