import { Wallet } from 'ethers';
import { DEFAULT_PARAMS } from '@sealane/params';
import { auditOutcomeOf, MempoolApi, type MempoolApiDeps } from './mempool-api';

describe('auditOutcomeOf', () => {
  const at = { slot: 3, position: 0 };

  it('reads a skip by its recorded code, never by its text', () => {
    expect(
      auditOutcomeOf({
        ...at,
        state: 'skipped',
        code: 'wrong-nonce',
        reason: 'fee transaction not executable: x',
      }),
    ).toEqual({ status: 'skipped', code: 'wrong-nonce' });
  });

  it('reads a skip recorded without a code (an older version) as depending on chain state', () => {
    expect(auditOutcomeOf({ ...at, state: 'skipped', reason: 'decryption-failed: tag mismatch' })).toEqual({
      status: 'skipped',
      code: 'execution-rejected',
    });
  });

  it('keeps inclusions and expiries, and has no outcome before a final state', () => {
    expect(auditOutcomeOf({ ...at, state: 'included', index: 2, txHash: '0xab' })).toEqual({
      status: 'included',
      index: 2,
      txHash: '0xab',
    });
    expect(auditOutcomeOf({ ...at, state: 'expired', reason: 'not revealed' })).toEqual({
      status: 'not-revealed',
    });
    expect(auditOutcomeOf({ ...at, state: 'revealed' })).toBeNull();
    expect(auditOutcomeOf(null)).toBeNull();
  });
});

describe('sealane_getMempoolInfo slot times', () => {
  function api(slotEnd: (head: number) => Promise<number>) {
    let head = 4;
    const reads: number[] = [];
    const deps = {
      chainId: 1n,
      params: { snapshot: async () => ({ version: 1, values: DEFAULT_PARAMS }) },
      sequencer: new Wallet('0x' + '11'.repeat(32)),
      domain: { chainId: 1n, salt: new Uint8Array(32) },
      sealedHead: async () => head,
      slotEndMs: (h: number) => (reads.push(h), slotEnd(h)),
    } as unknown as MempoolApiDeps;
    return { api: new MempoolApi(deps), reads, advance: () => head++ };
  }

  it("answers the open slot's earliest times, reading the head's end once per head", async () => {
    const { api: m, reads, advance } = api(async (h) => h * 10_000);
    const info = await m.info();
    const { slotMs, auctionCloseOffsetMs } = DEFAULT_PARAMS;
    expect(info.openSlotTimes).toEqual({
      startMs: 40_000,
      closeMs: 40_000 + slotMs - Math.min(auctionCloseOffsetMs, slotMs),
      endMs: 40_000 + slotMs,
    });
    await m.info();
    advance();
    await m.info();
    expect(reads).toEqual([4, 5]);
  });

  it('does not keep a failed read of the head', async () => {
    let fail = true;
    const { api: m, reads } = api(async (h) => {
      if (fail) throw new Error('store down');
      return h;
    });
    await expect(m.info()).rejects.toThrow('store down');
    fail = false;
    await m.info();
    expect(reads).toEqual([4, 4]);
  });
});
