/**
 * What anyone reads of the keypers: sealane_getKeyperSet (the eon's public key, threshold and each
 * keyper's public share, to encrypt to a slot and check shares) and sealane_getSlotKey (a slot's
 * key once its block is sealed, to check it against the eon key and re-decrypt: the audit does).
 */
import { EonKeysSource } from '@sealane/keyper';
import { arity, type JsonRpcDispatcher } from '@sealane/rpc';
import type { KeyperStore } from '@sealane/store';
import { quantity } from './bundle-params';

export interface KeyperApiDeps {
  eon: EonKeysSource;
  store: KeyperStore;
  sealedHead(): Promise<number>;
}

export function registerKeyperApi(d: JsonRpcDispatcher, deps: KeyperApiDeps): void {
  d.register('sealane_getKeyperSet', async (p) => {
    arity(p, 0);
    const keys = await deps.eon.current();
    const set = deps.eon.set;
    const base = {
      eon: deps.eon.eon,
      chainId: '0x' + set.chainId.toString(16),
      threshold: set.threshold,
      keypers: set.keypers,
    };
    if (!keys)
      return { ...base, ready: false, why: deps.eon.error() ?? 'the key generation has not finished' };
    return {
      ...base,
      ready: true,
      publicKey: keys.publicKey,
      publicShares: keys.publicShares,
      qualified: keys.qualified,
    };
  });
  d.register('sealane_getSlotKey', async (p) => {
    arity(p, 1);
    const n = quantity(p[0], 'slot');
    if ((await deps.sealedHead()) < n) return null;
    const key = await deps.store.slotKey(n);
    return key ? { slot: '0x' + n.toString(16), eon: deps.eon.eon, key } : null;
  });
}

/** The eon's public key for sealane_getMempoolInfo, or null while there is none. */
export async function keyperPublicKey(eon: EonKeysSource): Promise<string | null> {
  return (await eon.current())?.publicKey ?? null;
}
