/**
 * Where the WebSocket subscriptions learn of sealed blocks: the builder's block-sealed event on
 * the Redis event bus (one subscriber connection for the whole process), and a slow poll of the
 * sealed head so a lost event or a Redis restart never skips a block. Each new block is read
 * once (header and logs in one engine request, its slot results from Redis) and handed on in
 * order, every block from the last one handed on up to the head, none twice.
 */
import type { EngineClient } from '@sealane/engine';
import { headerOf, type BlockNews, type EthLog } from './subscriptions';

export interface BlockFeedDeps {
  sealedHead(): Promise<number>;
  /** Reads block `n`'s news; throws (to be retried) while the block cannot be read yet. */
  read(n: number): Promise<BlockNews>;
  /** Whether anyone listens: with no subscription, blocks are passed by without reading them. */
  wanted(): boolean;
  publish(news: BlockNews): void;
  /** A block that could not be read (once per block number, until it is read). */
  onReadError(n: number, e: unknown): void;
}

export class BlockFeed {
  /** The last block handed on (or passed by); -1 until the head is first known. */
  private last = -1;
  /** The highest sealed block heard of. */
  private target = -1;
  private running: Promise<void> | null = null;
  /** Set when news arrives while a run is under way: it runs once more. */
  private again = false;
  private stopped = false;
  private polling: Promise<void> | null = null;
  private failedAt = -1;

  constructor(private readonly deps: BlockFeedDeps) {}

  /** The last block handed on: a subscription made now gets the blocks after it. */
  get head(): number {
    return this.last;
  }

  /** Block `n` is sealed (an event or a poll said so). */
  heard(n: number): void {
    if (!Number.isSafeInteger(n) || n <= this.target) return;
    this.target = n;
    this.pump();
  }

  /** One poll of the sealed head; a store that does not answer is tried again at the next. */
  poll(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    return (this.polling ??= this.pollOnce().finally(() => (this.polling = null)));
  }

  private async pollOnce(): Promise<void> {
    try {
      this.heard(await this.deps.sealedHead());
    } catch {
      /* Redis away: the next poll asks again */
    }
    // A block whose read failed is retried at each poll even when the head did not move.
    if (this.last < this.target) this.pump();
  }

  /** Waits for the block being read, and hands nothing on after. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.polling;
    await this.running;
  }

  private pump(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.run();
      } while (this.again && !this.stopped);
    })().finally(() => (this.running = null));
  }

  private async run(): Promise<void> {
    while (!this.stopped && this.last < this.target) {
      // The first head heard is where the feed starts: what was sealed before is history.
      if (this.last < 0 || !this.deps.wanted()) {
        this.last = this.target;
        return;
      }
      const n = this.last + 1;
      let news: BlockNews;
      try {
        news = await this.deps.read(n);
      } catch (e) {
        if (this.failedAt !== n) this.deps.onReadError(n, e);
        this.failedAt = n;
        return;
      }
      if (this.stopped) return;
      this.last = n;
      this.deps.publish(news);
    }
  }
}

/** The reads of one block's news: the engine (one request) and the slot results (Redis). */
export interface NewsSources {
  engine: Pick<EngineClient, 'batch'>;
  results(n: number): Promise<unknown>;
}

/** Block `n`'s header and logs in one engine request, beside its slot results. */
export async function readBlockNews(src: NewsSources, n: number): Promise<BlockNews> {
  const tag = '0x' + n.toString(16);
  const [[block, logs], results] = await Promise.all([
    src.engine.batch([
      ['eth_getBlockByNumber', [tag, false]],
      ['eth_getLogs', [{ fromBlock: tag, toBlock: tag }]],
    ]),
    src.results(n),
  ]);
  if (!block.ok) throw block.error;
  if (!logs.ok) throw logs.error;
  const b = block.result as Record<string, unknown> | null;
  if (!b) throw new Error(`block ${n} is not on the L2 engine (yet)`);
  const list = logs.result as EthLog[];
  // Both answers are of one block: a log of another hash means the engine changed in between.
  if (!Array.isArray(list) || list.some((l) => l.blockHash !== b.hash))
    throw new Error(`the L2 engine answered logs of another block ${n}`);
  return { number: n, header: headerOf(b), logs: list, results: results ?? null };
}
