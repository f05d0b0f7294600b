/**
 * One keyper: takes part in the key generation of its set's eon (dkg.ts's protocol, driven over
 * the board with phase timeouts), then releases its share of each slot's key once, and only once,
 * the sequencer's signed order for that slot is published (refuseRelease). Everything it needs
 * after a restart is on the board: it re-reads its share from the deals sealed to it.
 */
import type { MempoolDomain } from '@sealane/mempool';
import { toHex } from '@sealane/protocol';
import type { CommitStore, KeyperStore } from '@sealane/store';
import {
  eonKeys,
  eonOf,
  keyShare,
  makeDeal,
  openDealShare,
  readBoard,
  revealOwnShare,
  secretShareOf,
  signDkgMessage,
  type DkgMessage,
  type EonKeys,
  type KeyperSetConfig,
} from '@sealane/threshold';
import { refuseRelease } from './release';

export interface KeyperLogger {
  log(m: string): void;
  warn(m: string): void;
  debug?(m: string): void;
}

export interface KeyperDeps {
  /** 1-based index in the set. */
  index: number;
  privateKey: string;
  set: KeyperSetConfig;
  board: KeyperStore;
  commits: Pick<CommitStore, 'order'>;
  sealedHead(): Promise<number>;
  /** Who signs slot orders, and in which domain. */
  sequencer: string;
  domain: MempoolDomain;
  phaseMs: number;
  pollMs: number;
  logger: KeyperLogger;
  now?: () => number;
  /** Told of each share this keyper released (first time only). */
  onReleased?: (slot: number) => void;
}

export class Keyper {
  private stopping = false;
  private running: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private share: bigint | undefined;
  private eonKeysValue: EonKeys | undefined;
  /** Slots whose share this keyper released (or found already released), and refused. */
  private readonly released = new Set<number>();
  private readonly refused = new Set<number>();
  private readonly queued = new Set<number>();

  constructor(private readonly d: KeyperDeps) {}

  get keys(): EonKeys | undefined {
    return this.eonKeysValue;
  }

  start(): void {
    this.running ??= this.run().catch((e: Error) =>
      this.d.logger.warn(`keyper ${this.d.index} stopped: ${e.message}`),
    );
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wakeUp?.();
    await this.running;
  }

  /** A hint that `slot`'s order was published (pub/sub): check it now rather than at the next poll. */
  wake(slot: number): void {
    this.queued.add(slot);
    this.wakeUp?.();
  }

  private now(): number {
    return (this.d.now ?? Date.now)();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      let t: NodeJS.Timeout | undefined = undefined;
      const done = (): void => {
        clearTimeout(t);
        this.wakeUp = undefined;
        resolve();
      };
      t = setTimeout(done, ms);
      this.wakeUp = done;
    });
  }

  private async run(): Promise<void> {
    await this.generate();
    while (!this.stopping) {
      try {
        const head = await this.d.sealedHead();
        const slots = new Set([...this.queued, head + 1, head + 2]);
        this.queued.clear();
        for (const s of slots) if (s > head - 2) await this.consider(s);
      } catch (e) {
        this.d.logger.warn(`keyper ${this.d.index}: ${(e as Error).message}`);
      }
      if (this.queued.size === 0) await this.sleep(this.d.pollMs);
    }
  }

  /** Releases the share of `slot`'s key if the slot's signed order is published. */
  async consider(slot: number): Promise<'released' | 'refused' | 'waiting' | 'done'> {
    if (this.released.has(slot) || this.refused.has(slot)) return 'done';
    const { index, set, sequencer, domain, logger } = this.d;
    if (this.share === undefined) return 'waiting';
    const order = await this.d.commits.order(slot);
    if (!order) return 'waiting';
    const why = refuseRelease(slot, order, sequencer, domain);
    if (why) {
      this.refused.add(slot);
      logger.warn(`keyper ${index}: refusing to release the key of slot ${slot}: ${why}`);
      return 'refused';
    }
    this.released.add(slot);
    if (order.count === 0) return 'done';
    const started = this.now();
    const share = keyShare(this.share, set.chainId, BigInt(slot));
    const fresh = await this.d.board.putShare(slot, index, toHex(share));
    if (fresh) this.d.onReleased?.(slot);
    logger.debug?.(
      `keyper ${index}: ${fresh ? 'released' : 'had already released'} its share of slot ${slot}'s key (${order.count} commitments) in ${this.now() - started} ms`,
    );
    return 'released';
  }

  /** Runs (or, after a restart, finishes or reads back) the eon's key generation. */
  private async generate(): Promise<void> {
    const { index, set, privateKey, board, phaseMs, logger } = this.d;
    const eon = eonOf(set);
    const n = set.keypers.length;
    const post = (m: DkgMessage) => board.post(eon, signDkgMessage(m, privateKey));
    let dealtAt: number | undefined;
    let complainedAt: number | undefined;
    while (!this.stopping) {
      const messages = await board.board(eon);
      const view = readBoard(set, messages);
      if (view.final) {
        this.eonKeysValue = eonKeys(set, messages);
        this.share = secretShareOf(set, messages, index, privateKey);
        logger.log(
          `keyper ${index}: eon ${eon.slice(0, 10)}… ready, public key ${this.eonKeysValue.publicKey.slice(0, 18)}…, dealers qualified ${this.eonKeysValue.qualified.join(',')} (threshold ${set.threshold} of ${n})`,
        );
        return;
      }
      const now = this.now();
      if (!view.deals.has(index)) {
        await post(makeDeal(set, index, privateKey));
        dealtAt = now;
        continue;
      }
      dealtAt ??= now;
      if (!view.complaints.has(index)) {
        if (view.deals.size === n || now - dealtAt >= phaseMs) {
          const against = [...view.deals.values()]
            .filter((d) => openDealShare(set, d, index, privateKey) === null)
            .map((d) => d.from);
          if (against.length)
            logger.warn(
              `keyper ${index}: complaining against dealers ${against.join(',')}: their shares do not check`,
            );
          await post({ kind: 'complaint', eon, from: index, against });
          complainedAt = now;
          continue;
        }
      } else {
        complainedAt ??= now;
        const allIn = view.complaints.size === n;
        const againstMe = [...view.complaints].filter(([, a]) => a.includes(index)).map(([from]) => from);
        if (againstMe.length && !view.answers.has(index) && (allIn || now - complainedAt >= phaseMs)) {
          const deal = view.deals.get(index)!;
          const revealed = againstMe.map((to) => ({ to, share: revealOwnShare(set, deal, to, privateKey) }));
          await post({ kind: 'answer', eon, from: index, revealed });
          continue;
        }
        const accused = new Set([...view.complaints.values()].flat());
        const answered = [...accused].every((d) => view.answers.has(d) || !view.deals.has(d));
        if ((allIn && answered) || now - complainedAt >= 2 * phaseMs) {
          await post({ kind: 'final', eon, from: index });
          continue;
        }
      }
      await this.sleep(Math.min(this.d.pollMs, 50));
    }
  }
}
