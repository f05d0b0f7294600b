import {
  CommittedFeeTxError,
  InternalError,
  isSealaneError,
  NotLeaderError,
  ProposalClosedError,
  ProposalNotFoundError,
  ReplacementNonceTooLowError,
} from '@sealane/protocol';
import type { StoredBundle } from './bundle-store';
import { Keys } from './names';
import type { SealaneRedis } from './redis';
import { answer, type AnswerDb } from './script-answers';
import { BlockConflictError, BlockOrderError, ScriptError } from './store.error';

/** Redis as the refusal entries read it: a fixed answer per key and field. */
function db(values: Record<string, string> = {}): AnswerDb {
  const keys = new Keys('t');
  const redis = {
    get: (k: string) => Promise.resolve(values[k] ?? null),
    hget: (k: string, f: string) => Promise.resolve(values[`${k} ${f}`] ?? null),
  } as unknown as SealaneRedis;
  return { redis, keys };
}

const bundle: StoredBundle = {
  bundleHash: '0xb1',
  searcher: '0xs1',
  slot: 7,
  txs: ['0x01', '0x02'],
  txHashes: ['0xa0', '0xa1'],
  revertingTxHashes: [],
  droppingTxHashes: [],
  receivedAt: 0,
};

describe('script answers', () => {
  it('maps recordSealed codes to results, the lost lease to NotLeaderError, the rest to internal errors', async () => {
    const call = { token: 'b1', n: 5 };
    await expect(answer('recordSealed', 1, call, db())).resolves.toBe('recorded');
    await expect(answer('recordSealed', 0, call, db())).resolves.toBe('already recorded');
    await expect(answer('recordSealed', -1, call, db())).rejects.toThrow(NotLeaderError);
    const gap = answer('recordSealed', -2, call, db());
    await expect(gap).rejects.toThrow(new BlockOrderError('block 5 is not the next block to record'));
    const other = await answer('recordSealed', -3, call, db()).catch((e: unknown) => e);
    expect(other).toBeInstanceOf(BlockConflictError);
    expect(other).toBeInstanceOf(InternalError);
    expect(isSealaneError(other)).toBe(false);
  });

  it('throws a ScriptError for a code no entry maps', async () => {
    await expect(answer('savePlan', -9, { token: 'b', slot: 1 }, db())).rejects.toThrow(
      new ScriptError('savePlan answered -9'),
    );
  });

  it('names the committed fee transaction of -100 - i', async () => {
    const call = { b: bundle, limit: 4, code: -101, searcher: bundle.searcher, uuid: '-', nonce: undefined };
    const e = await answer('addBundle', -100, call, db()).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(CommittedFeeTxError);
    expect((e as CommittedFeeTxError).data).toEqual({ txIndex: 1, txHash: '0xa1' });
  });

  it('reads the stored replacementNonce for a refusal of a stale replacement', async () => {
    const k = new Keys('t');
    const values = { [`${k.replacementRecord('0xs1', 'u1')} n`]: '3' };
    const call = { slot: '7', searcher: '0xs1', uuid: 'u1', nonce: 2 };
    const e = await answer('cancelBundle', -6, call, db(values)).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ReplacementNonceTooLowError);
    expect((e as Error).message).toBe(
      'replacementNonce 2 is not above 3, the last one accepted for replacementUuid u1',
    );
    expect((e as ReplacementNonceTooLowError).data).toEqual({ replacementUuid: 'u1', replacementNonce: 3 });
  });

  it('tells an unknown proposal from a closed one when an approval is refused', async () => {
    const k = new Keys('t');
    const closed = db({ [`${k.govStatus()} 0xp1`]: 'executed' });
    await expect(answer('govApprove', -1, { id: '0xP1', sigs: [] }, closed)).rejects.toThrow(
      ProposalClosedError,
    );
    await expect(answer('govApprove', -1, { id: '0xp2', sigs: [] }, db())).rejects.toThrow(
      ProposalNotFoundError,
    );
  });
});
