/**
 * `sealane_getForcedInclusion [index]`: what the sequencer did with a transaction forced
 * through `Inbox.forceInclude`: queued (seen on L1, not arrived or not yet resolved, with its
 * arrival block and deadline once known), included (block, index) or dropped at its deadline
 * (code, reason). Null for an index the watcher has not seen (yet).
 */
import { arity, invalidParams, type JsonRpcDispatcher } from '@sealane/rpc';
import { ForcedStore, type Keys, type SealaneRedis } from '@sealane/store';

export function registerForcedApi(dispatcher: JsonRpcDispatcher, redis: SealaneRedis, keys: Keys): void {
  const store = new ForcedStore(redis, keys);
  dispatcher.register('sealane_getForcedInclusion', async (p) => {
    arity(p, 1);
    const index = p[0];
    if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0)
      throw invalidParams('index must be a non-negative integer');
    const { entry, outcome } = await store.status(index);
    if (outcome) return { index, ...outcome };
    if (!entry) return null;
    return {
      index,
      state: 'queued',
      hash: entry.hash,
      l1Block: entry.l1Block,
      l1Timestamp: entry.l1Timestamp,
      ...(entry.arrival !== undefined ? { arrival: entry.arrival, deadline: entry.deadline } : {}),
    };
  });
}
