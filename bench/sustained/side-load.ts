/**
 * The fixed side load of the sustained benchmark, beside the public transfers: one bundle a
 * second (searchers in turn, each bundle one payment to the fee recipient for head + 2, signed
 * with the Flashbots header) and one private transaction a second (SealaneClient, reveal
 * 'user'). Both are open-loop: a new one starts on the schedule whatever the previous ones do;
 * when every account of a kind is still busy with its previous one, that start is counted as
 * skipped rather than queued.
 */
import { Wallet } from 'ethers';
import { SealaneClient, searcherCall } from '@sealane/sdk';
import { signTransfer } from '../soak/load';
import { rpcBatch, rpcCall } from '../soak/procs';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const GWEI = 10n ** 9n;
/**
 * A bundle a second whatever the slot: at 250 ms slots most slots then have none and their
 * public lane streams into the engine (a slot with a bundle sends its block whole at the seal).
 */
const BUNDLE_EVERY_MS = 1000;

export interface SideCounts {
  bundlesSent: number;
  bundlesAcked: number;
  bundlesIncluded: number;
  bundlesSkipped: number;
  commitsSent: number;
  /** Outcome of each private transaction: included, skipped, expired, or 'failed' (an error). */
  commits: Map<string, number>;
  commitsSkipped: number;
  firstError?: string;
}

export interface SideContext {
  gateway: string;
  l2Url: string;
  slotMs: number;
  feeRecipient: string;
  /** The highest block recorded as sealed, as the event bus told it. */
  head: () => number;
}

export class SideLoad {
  private stopping = false;
  private readonly inflight = new Set<Promise<void>>();
  private readonly busy = new Set<string>();
  private readonly bundleTxs: string[] = [];
  private n = 0;
  readonly counts: SideCounts = {
    bundlesSent: 0,
    bundlesAcked: 0,
    bundlesIncluded: 0,
    bundlesSkipped: 0,
    commitsSent: 0,
    commits: new Map(),
    commitsSkipped: 0,
  };

  constructor(
    private readonly ctx: SideContext,
    private readonly searchers: Wallet[],
    private readonly users: Wallet[],
  ) {}

  /** Runs both schedules until stop(): a bundle and a private transaction a second. */
  start(): void {
    this.every(BUNDLE_EVERY_MS, this.searchers, (w) => this.bundle(w), 'bundlesSkipped');
    this.every(1000, this.users, (w) => this.commit(w), 'commitsSkipped');
  }

  /** Stops the schedules, waits (bounded) for what is in flight and counts the included bundles. */
  async stop(): Promise<SideCounts> {
    this.stopping = true;
    await Promise.race([Promise.all(this.inflight), sleep(Math.max(15_000, 20 * this.ctx.slotMs))]);
    const rs = await rpcBatch<{ status: string } | null>(
      this.ctx.l2Url,
      this.bundleTxs.map((h) => ['eth_getTransactionReceipt', [h]]),
    );
    this.counts.bundlesIncluded = rs.filter((r) => r?.status === '0x1').length;
    return this.counts;
  }

  private every(
    ms: number,
    accounts: Wallet[],
    run: (w: Wallet) => Promise<void>,
    skipped: 'bundlesSkipped' | 'commitsSkipped',
  ): void {
    let turn = 0;
    const t0 = performance.now();
    const tick = async () => {
      for (let k = 1; !this.stopping; k++) {
        let free: Wallet | undefined;
        for (let i = 0; i < accounts.length && !free; i++) {
          const w = accounts[(turn + i) % accounts.length];
          if (!this.busy.has(w.address)) [free, turn] = [w, (turn + i + 1) % accounts.length];
        }
        if (!free) this.counts[skipped]++;
        else {
          this.busy.add(free.address);
          const p = run(free)
            .catch((e: unknown) => void (this.counts.firstError ??= String(e)))
            .finally(() => {
              this.busy.delete(free.address);
              this.inflight.delete(p);
            });
          this.inflight.add(p);
        }
        await sleep(Math.max(0, t0 + k * ms - performance.now()));
      }
    };
    void tick();
  }

  private async bundle(w: Wallet): Promise<void> {
    const nonce = Number(
      await rpcCall<string>(this.ctx.l2Url, 'eth_getTransactionCount', [w.address, 'latest']),
    );
    const target = this.ctx.head() + 2;
    const n = this.n++;
    // A distinct value per bundle, so no two bundles share a transaction hash.
    const tx = signTransfer(
      Buffer.from(w.privateKey.slice(2), 'hex'),
      nonce,
      this.ctx.feeRecipient,
      10n ** 14n + BigInt(n),
      2n * GWEI,
    );
    this.counts.bundlesSent++;
    const a = await searcherCall<{ bundleHash: string }>(this.ctx.gateway, w, 'eth_sendBundle', [
      { txs: [tx.raw], blockNumber: '0x' + target.toString(16) },
    ]);
    if (a.error) throw new Error(`eth_sendBundle: ${a.error.code} ${a.error.message}`);
    this.counts.bundlesAcked++;
    this.bundleTxs.push(tx.hash);
    // The searcher's next bundle needs this one's fate on chain first (its nonce).
    const deadline = Date.now() + 20 * this.ctx.slotMs;
    while (this.ctx.head() < target && Date.now() < deadline) await sleep(this.ctx.slotMs / 4);
  }

  private async commit(w: Wallet): Promise<void> {
    this.counts.commitsSent++;
    const n = this.n++;
    try {
      const r = await new SealaneClient(this.ctx.gateway).sendPrivateTransaction(
        w,
        { to: '0x000000000000000000000000000000000000cafe', value: 1000n + BigInt(n), gasLimit: 21_000n },
        { reveal: 'user', timeoutMs: Math.max(30_000, 40 * this.ctx.slotMs) },
      );
      bump(this.counts.commits, r.status.state);
    } catch (e) {
      bump(this.counts.commits, 'failed');
      throw e;
    }
  }
}

function bump(m: Map<string, number>, k: string): void {
  m.set(k, (m.get(k) ?? 0) + 1);
}

/** The side load's counts as a note. */
export function sideNote(c: SideCounts): string {
  const commits = [...c.commits].map(([k, v]) => `${v} ${k}`).join(', ') || 'none';
  return (
    `bundles ${c.bundlesAcked}/${c.bundlesSent} accepted, ${c.bundlesIncluded} included` +
    `${c.bundlesSkipped ? `, ${c.bundlesSkipped} not sent (searchers busy)` : ''}; ` +
    `private ${c.commitsSent}: ${commits}${c.commitsSkipped ? `, ${c.commitsSkipped} not sent (users busy)` : ''}` +
    (c.firstError ? `; first side-load error: ${c.firstError.slice(0, 160)}` : '')
  );
}
