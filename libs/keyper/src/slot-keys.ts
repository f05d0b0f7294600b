/**
 * The builder's side: a slot's key from the shares the keypers released, checked against the
 * eon's public key (recoverSlotKey: forged shares are found and set aside), waited for until a
 * deadline, and kept in the store so that audits (and a builder that takes over) read it back.
 */
import { fromHex, toHex } from '@sealane/protocol';
import type { KeyperStore } from '@sealane/store';
import { recoverSlotKey, verifySlotKey } from '@sealane/threshold';
import type { EonKeysSource } from './eon-keys';

export type SlotKeyOutcome = { ok: true; key: Uint8Array; forged: number[] } | { ok: false; why: string };

export class SlotKeys {
  constructor(
    private readonly store: KeyperStore,
    private readonly eon: EonKeysSource,
    private readonly logger?: { warn(m: string): void },
  ) {}

  /** Whether the keypers' key generation has finished (so encrypting to slots works). */
  async ready(): Promise<boolean> {
    return (await this.eon.current()) !== null;
  }

  /** The slot's key, waiting for shares until `untilMs` (by `now`); never throws on bad shares. */
  async get(slot: number, untilMs: number, now: () => number = Date.now): Promise<SlotKeyOutcome> {
    const keys = await this.eon.current();
    if (!keys)
      return { ok: false, why: `the keypers have no eon key: ${this.eon.error() ?? 'not generated'}` };
    const set = {
      publicKey: fromHex(keys.publicKey),
      publicShares: keys.publicShares.map((s) => fromHex(s)),
      threshold: keys.threshold,
    };
    const chainId = this.eon.set.chainId;
    const kept = await this.store.slotKey(slot);
    if (kept && verifySlotKey(set.publicKey, chainId, BigInt(slot), fromHex(kept)))
      return { ok: true, key: fromHex(kept), forged: [] };
    let seen = -1;
    let last: SlotKeyOutcome = { ok: false, why: 'no share released' };
    for (;;) {
      const shares = await this.store.shares(slot);
      if (shares.size !== seen) {
        seen = shares.size;
        const r = recoverSlotKey(
          set,
          chainId,
          BigInt(slot),
          [...shares].map(([index, share]) => ({ index, share: fromHex(share) })),
        );
        if (r.forged.length)
          this.logger?.warn(`slot ${slot}: ignoring forged key shares from keypers ${r.forged.join(',')}`);
        if (r.ok) {
          await this.store.putSlotKey(slot, toHex(r.key));
          return { ok: true, key: r.key, forged: r.forged };
        }
        last = {
          ok: false,
          why: `the keypers released ${r.valid.length} valid shares of the ${r.needed} the slot key needs`,
        };
      }
      if (now() >= untilMs) return last;
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}
