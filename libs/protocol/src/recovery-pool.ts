/**
 * Signer recovery off the event loop. Recovery is the gateway's CPU-bound step (three per
 * 2-transaction bundle, ~50 us each natively); on the event loop it serialises with HTTP parsing
 * and Redis I/O and leaves the other cores idle. A RecoveryPool runs it on worker threads, the way
 * a Go relay spreads it over goroutines: requests arriving in one turn of the event loop are packed
 * into one transferred buffer per worker (97 bytes a signature), and the workers answer 21 bytes a
 * signature. InlineRecovery does the same work on the calling thread, for `RECOVERY_THREADS=0`,
 * tools and tests.
 */
import { Worker } from 'node:worker_threads';
import { nativeKeccakAvailable, toHex } from './hash';
import { nativeRecoveryAvailable, recoverSignerOrNull, type RecoverableSignature } from './recover';

/** Recovers many signers at once: lowercase 0x addresses, null where a signature recovers to nothing. */
export interface SignerRecovery {
  recover(sigs: readonly RecoverableSignature[]): Promise<(string | null)[]>;
  close(): Promise<void>;
  /** Signatures waiting for a worker (0 for a recovery that does not queue). */
  readonly queued?: number;
}

/** Never handed to the addon: libsecp256k1 aborts the process on a recovery id above 3. */
function malformed(s: RecoverableSignature): boolean {
  return s.digest.length !== 32 || s.r.length > 32 || s.s.length > 32 || (s.yParity !== 0 && s.yParity !== 1);
}

/** On the calling thread: native libsecp256k1 when it loads, ethers otherwise. */
export class InlineRecovery implements SignerRecovery {
  recover(sigs: readonly RecoverableSignature[]): Promise<(string | null)[]> {
    return Promise.resolve(sigs.map(recoverSignerOrNull));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** digest 32 | r 32 | s 32 | yParity 1 */
const IN = 97;
/** ok 1 | address 20 */
const OUT = 21;
/** Below this many signatures a turn's work goes to one worker: splitting would cost more. */
const SPLIT_AT = 32;

interface WorkerData {
  secp256k1: string;
  keccak: string;
  gypBuild: string;
}

/**
 * The worker's whole program, as plain JavaScript so it runs the same from compiled output and from
 * the TypeScript sources under test. It calls the two addons directly (no argument checks or
 * allocations per call beyond the answer): recovery into one reused 65-byte buffer, then keccak of
 * the public key into the answer.
 */
function recoveryWorker(): void {
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { parentPort, workerData } = require('node:worker_threads') as typeof import('node:worker_threads');
  const paths = workerData as WorkerData;
  const gypBuild = require(paths.gypBuild) as (dir: string) => Record<string, new () => unknown>;
  /* eslint-enable @typescript-eslint/no-require-imports */
  const secp = new (
    gypBuild(paths.secp256k1).Secp256k1 as new () => {
      ecdsaRecover(out: Uint8Array, sig: Uint8Array, recid: number, msg32: Uint8Array): number;
    }
  )();
  const keccak = new (
    gypBuild(paths.keccak) as unknown as new () => {
      initialize(rate: number, capacity: number): void;
      absorb(b: Buffer): void;
      absorbLastFewBits(bits: number): void;
      squeeze(n: number): Buffer;
    }
  )();
  const pub = new Uint8Array(65);
  const pubKey = Buffer.from(pub.buffer, 1, 64);
  parentPort!.postMessage({ ready: true });
  parentPort!.on('message', (m: { id: number; buf: ArrayBuffer }) => {
    const input = new Uint8Array(m.buf);
    const n = input.length / 97;
    const out = new Uint8Array(n * 21);
    for (let i = 0; i < n; i++) {
      const at = i * 97;
      const code = secp.ecdsaRecover(
        pub,
        input.subarray(at + 32, at + 96),
        input[at + 96],
        input.subarray(at, at + 32),
      );
      if (code !== 0) continue;
      keccak.initialize(1088, 512);
      keccak.absorb(pubKey);
      keccak.absorbLastFewBits(0x01);
      out[i * 21] = 1;
      out.set(keccak.squeeze(32).subarray(12), i * 21 + 1);
    }
    parentPort!.postMessage({ id: m.id, buf: out.buffer }, [out.buffer]);
  });
}

interface Waiting {
  sigs: readonly RecoverableSignature[];
  resolve(addresses: (string | null)[]): void;
  reject(e: Error): void;
}

interface Slot {
  worker: Worker;
  /** Set once the worker has loaded the addons; until then it gets no work. */
  ready: boolean;
  /** Signatures posted and not yet answered: new work goes to the least loaded worker. */
  load: number;
  /** Batches posted to this worker, by id: the requests each packs, in order. */
  batches: Map<number, { parts: Waiting[]; size: number }>;
}

/** Worker starts that fail in a row before the pool stops starting workers and recovers inline. */
const MAX_FAILED_STARTS = 5;

export interface RecoveryPoolOptions {
  /** Told once if workers cannot be started and the pool falls back to the calling thread. */
  onDegraded?(reason: string): void;
}

/**
 * Note: the worker runs `recoveryWorker`'s source text, so a tool that rewrites functions (a
 * coverage instrumenter) must leave this file alone.
 */
export class RecoveryPool implements SignerRecovery {
  private slots: Slot[] = [];
  private queue: Waiting[] = [];
  queued = 0;
  private scheduled = false;
  private nextId = 1;
  private closed = false;
  private failedStarts = 0;
  private degraded = false;
  private readonly source = `(${recoveryWorker.toString()})()`;
  private readonly paths: WorkerData;

  constructor(
    readonly threads: number,
    private readonly opts: RecoveryPoolOptions = {},
  ) {
    if (!Number.isInteger(threads) || threads < 1)
      throw new RangeError('a recovery pool needs at least one thread');
    if (!nativeRecoveryAvailable() || !nativeKeccakAvailable())
      throw new Error('a recovery pool needs the native secp256k1 and keccak addons');
    const dirOf = (pkg: string) => require.resolve(`${pkg}/package.json`).replace(/[\\/]package\.json$/, '');
    this.paths = {
      secp256k1: dirOf('secp256k1'),
      keccak: dirOf('keccak'),
      gypBuild: require.resolve('node-gyp-build'),
    };
    for (let i = 0; i < threads; i++) this.slots.push(this.spawn());
  }

  private spawn(): Slot {
    const worker = new Worker(this.source, { eval: true, workerData: this.paths });
    const slot: Slot = { worker, ready: false, load: 0, batches: new Map() };
    worker.unref();
    worker.on('message', (m: { id: number; buf: ArrayBuffer } | { ready: true }) => {
      if ('ready' in m) {
        slot.ready = true;
        this.failedStarts = 0;
      } else this.answered(slot, m.id, m.buf);
    });
    let failed = false;
    // A worker that dies fails what it held and is replaced; one that cannot even start is
    // retried a few times, then the pool recovers on the calling thread instead.
    const fail = (e: Error) => {
      if (failed || this.closed) return;
      failed = true;
      const held = [...slot.batches.values()];
      slot.batches.clear();
      for (const b of held) for (const p of b.parts) p.reject(e);
      this.slots = this.slots.filter((x) => x !== slot);
      if (!slot.ready && ++this.failedStarts >= MAX_FAILED_STARTS) {
        this.degrade(`workers do not start (${e.message}); recovering on the event loop`);
        return;
      }
      if (!this.degraded) this.slots.push(this.spawn());
    };
    worker.on('error', (e) => fail(new Error(`signature recovery worker failed: ${e.message}`)));
    worker.on('exit', (code) => fail(new Error(`signature recovery worker exited with code ${code}`)));
    return slot;
  }

  private degrade(reason: string): void {
    if (this.degraded) return;
    this.degraded = true;
    for (const s of this.slots) void s.worker.terminate();
    this.slots = [];
    this.opts.onDegraded?.(reason);
  }

  /** True once the pool has given up on worker threads (see RecoveryPoolOptions.onDegraded). */
  get isDegraded(): boolean {
    return this.degraded;
  }

  recover(sigs: readonly RecoverableSignature[]): Promise<(string | null)[]> {
    if (this.closed) return Promise.reject(new Error('the signature recovery pool is closed'));
    if (sigs.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.queue.push({ sigs, resolve, reject });
      this.queued += sigs.length;
      if (!this.scheduled) {
        this.scheduled = true;
        // After this turn's I/O callbacks: every request parsed in it shares one message.
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const queue = this.queue;
    const total = this.queued;
    this.queue = [];
    this.queued = 0;
    if (this.closed) return;
    // Whole requests per batch, about total / threads signatures each when there is enough work.
    const share = total < SPLIT_AT ? total : Math.ceil(total / this.slots.length);
    let parts: Waiting[] = [];
    let size = 0;
    for (const w of queue) {
      parts.push(w);
      size += w.sigs.length;
      if (size >= share) {
        this.post(parts, size);
        parts = [];
        size = 0;
      }
    }
    if (parts.length) this.post(parts, size);
  }

  private post(parts: Waiting[], size: number): void {
    const ready = this.slots.filter((s) => s.ready);
    if (ready.length === 0) {
      // Starting, restarting or given up: the same answers, on this thread.
      for (const p of parts) p.resolve(p.sigs.map(recoverSignerOrNull));
      return;
    }
    const slot = ready.reduce((a, b) => (b.load < a.load ? b : a));
    const buf = new Uint8Array(size * IN);
    let at = 0;
    for (const p of parts) {
      for (const s of p.sigs) {
        if (malformed(s)) {
          // Malformed input never reaches the addon; it recovers to nothing (left as zeros).
          at += IN;
          continue;
        }
        buf.set(s.digest, at);
        buf.set(s.r, at + 64 - s.r.length);
        buf.set(s.s, at + 96 - s.s.length);
        buf[at + 96] = s.yParity;
        at += IN;
      }
    }
    const id = this.nextId++;
    slot.batches.set(id, { parts, size });
    if (slot.load === 0) slot.worker.ref();
    slot.load += size;
    slot.worker.postMessage({ id, buf: buf.buffer }, [buf.buffer]);
  }

  private answered(slot: Slot, id: number, buf: ArrayBuffer): void {
    const batch = slot.batches.get(id);
    if (!batch) return;
    slot.batches.delete(id);
    slot.load -= batch.size;
    if (slot.load === 0) slot.worker.unref();
    const out = new Uint8Array(buf);
    let at = 0;
    for (const p of batch.parts) {
      const addresses = new Array<string | null>(p.sigs.length);
      for (let i = 0; i < p.sigs.length; i++, at += OUT)
        addresses[i] = out[at] === 1 ? toHex(out.subarray(at + 1, at + OUT)) : null;
      p.resolve(addresses);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const e = new Error('the signature recovery pool is closed');
    for (const w of this.queue) w.reject(e);
    this.queue = [];
    for (const s of this.slots) for (const b of s.batches.values()) for (const p of b.parts) p.reject(e);
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }
}

/**
 * A pool of `threads` workers, or recovery on the calling thread when `threads` is 0 or the native
 * addons do not load here (then through ethers, as recoverSigner falls back to).
 */
export function signerRecovery(threads: number, opts: RecoveryPoolOptions = {}): SignerRecovery {
  if (threads === 0) return new InlineRecovery();
  if (!nativeRecoveryAvailable() || !nativeKeccakAvailable()) {
    opts.onDegraded?.('the native secp256k1 or keccak addon does not load; recovering on the event loop');
    return new InlineRecovery();
  }
  return new RecoveryPool(threads, opts);
}
