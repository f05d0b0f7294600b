/**
 * The keypers' shared state in Redis: the bulletin board of their key generation (an ordered,
 * append-only list of signed messages: Redis can drop or delay one, not forge it), the shares of
 * each slot's key as the keypers release them (first write per keyper wins), the slot key the
 * builder combined, and the wake-up each keyper waits on when a slot's order is published.
 */
import type { SignedDkgMessage } from '@sealane/threshold';
import { RECORD_TTL_SEC, type Keys } from './names';
import type { SealaneRedis } from './redis';

export class KeyperStore {
  constructor(
    private readonly redis: SealaneRedis,
    private readonly keys: Keys,
  ) {}

  async post(eon: string, m: SignedDkgMessage): Promise<void> {
    await this.redis.rpush(this.keys.keyperBoard(eon), JSON.stringify(m));
  }

  async board(eon: string): Promise<SignedDkgMessage[]> {
    const rows = await this.redis.lrange(this.keys.keyperBoard(eon), 0, -1);
    const out: SignedDkgMessage[] = [];
    for (const r of rows) {
      try {
        out.push(JSON.parse(r) as SignedDkgMessage);
      } catch {
        // not JSON: not a message (the readers verify every signature anyway)
      }
    }
    return out;
  }

  /** Keyper `index`'s share of the slot key; false if that keyper already released one. */
  async putShare(slot: number, index: number, shareHex: string): Promise<boolean> {
    const key = this.keys.slotKeyShares(slot);
    const [[, added]] = (await this.redis
      .multi()
      .hsetnx(key, String(index), shareHex)
      .expire(key, RECORD_TTL_SEC)
      .exec()) as [[null, number], unknown];
    return added === 1;
  }

  /** The released shares of a slot: keyper index -> share hex. */
  async shares(slot: number): Promise<Map<number, string>> {
    const h = await this.redis.hgetall(this.keys.slotKeyShares(slot));
    return new Map(Object.entries(h).map(([k, v]) => [Number(k), v]));
  }

  async putSlotKey(slot: number, keyHex: string): Promise<void> {
    await this.redis.set(this.keys.slotKey(slot), keyHex, 'EX', RECORD_TTL_SEC);
  }

  async slotKey(slot: number): Promise<string | null> {
    return this.redis.get(this.keys.slotKey(slot));
  }

  /** Tells the keypers (pub/sub) that `slot`'s order is published. */
  async announceOrder(slot: number): Promise<void> {
    await this.redis.publish(this.keys.orderChannel(), String(slot));
  }
}
