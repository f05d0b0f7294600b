/**
 * Watches the Inbox for transactions forced into the L2 chain (`ForcedInclusion` events) and
 * queues them for the builder's forced lane (ForcedStore), up to `confirmations` below L1's head.
 * It runs where the poster runs (the process that talks to L1). An L1 or Redis error is logged
 * once per outage and the scan tried again; the cursor only moves once a range is queued.
 */
import type { EventLog, JsonRpcProvider, Log } from 'ethers';
import { inboxContract } from '@sealane/contracts';
import type { ForcedEntry, ForcedStore } from '@sealane/store';

export interface ForcedWatcherOptions {
  provider: JsonRpcProvider;
  inboxAddress: string;
  store: ForcedStore;
  confirmations: number;
  pollMs: number;
  /** L1 block to scan from the first time (the Inbox's deployment block). */
  fromBlock: number;
  logger: { log(m: string): void; warn(m: string): void };
}

/** Most L1 blocks asked for in one eth_getLogs. */
const MAX_RANGE = 5_000;

export class ForcedWatcher {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private failing = false;

  constructor(private readonly o: ForcedWatcherOptions) {}

  start(): void {
    const loop = async () => {
      if (this.stopped) return;
      this.running = this.scan().catch((e: unknown) => {
        if (!this.failing)
          this.o.logger.warn(`forced inclusion watcher: ${e instanceof Error ? e.message : String(e)}`);
        this.failing = true;
      });
      await this.running;
      if (!this.stopped) this.timer = setTimeout(() => void loop(), this.o.pollMs);
    };
    void loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  /** Queues the events of the confirmed L1 blocks not scanned yet. */
  async scan(): Promise<void> {
    const inbox = inboxContract(this.o.inboxAddress, this.o.provider);
    const safe = (await this.o.provider.getBlockNumber()) - this.o.confirmations;
    let from = Math.max((await this.o.store.cursor()) + 1, this.o.fromBlock);
    while (from <= safe) {
      const to = Math.min(safe, from + MAX_RANGE - 1);
      const logs = (await inbox.queryFilter(inbox.filters.ForcedInclusion(), from, to)) as (Log | EventLog)[];
      const entries = logs
        .filter((l): l is EventLog => 'args' in l)
        .map((l): ForcedEntry => ({
          index: Number(l.args.index),
          raw: String(l.args.rawTx).toLowerCase(),
          hash: String(l.args.txHash).toLowerCase(),
          l1Sender: String(l.args.sender).toLowerCase(),
          l1Timestamp: Number(l.args.timestamp),
          l1Block: l.blockNumber,
        }));
      await this.o.store.add(entries, to);
      for (const e of entries)
        this.o.logger.log(`forced transaction #${e.index} (${e.hash}) queued from L1 block ${e.l1Block}`);
      from = to + 1;
    }
    if (this.failing) this.o.logger.log('forced inclusion watcher: L1 and Redis answer again');
    this.failing = false;
  }
}
