import type { BatchResult, RpcCall } from '@sealane/engine';
import { EngineAccounts, type EngineBatch } from './engine-accounts';

/** An engine whose accounts, and a sealed head, the test moves; records every batch it is sent. */
class FakeEngine implements EngineBatch {
  head = 5;
  nonces = new Map<string, number>();
  batches: RpcCall[][] = [];
  /** Runs while the next batch is answered (a seal recorded during the read). */
  during?: () => void;

  async batch(calls: RpcCall[]): Promise<BatchResult[]> {
    this.batches.push(calls);
    const out = calls.map(([method, params]): BatchResult => {
      const a = params[0] as string;
      const n = this.nonces.get(a) ?? 0;
      return { ok: true, result: '0x' + (method === 'eth_getTransactionCount' ? n : 1000 + n).toString(16) };
    });
    this.during?.();
    this.during = undefined;
    return out;
  }
}

const methods = (calls: RpcCall[]) => calls.map(([m, p]) => `${m} ${String(p[0])}`);

function setup() {
  const e = new FakeEngine();
  let headReads = 0;
  const acc = new EngineAccounts(e, async () => {
    headReads++;
    return e.head;
  });
  return { e, acc, headReads: () => headReads };
}

describe('EngineAccounts', () => {
  it('reads the accounts asked for in one turn in one engine batch', async () => {
    const { e, acc } = setup();
    e.nonces.set('0xa', 3);
    const got = await Promise.all([acc.get('0xA'), acc.get('0xb'), acc.get('0xa')]);
    expect(got).toEqual([
      { nonce: 3, balance: 1003n },
      { nonce: 0, balance: 1000n },
      { nonce: 3, balance: 1003n },
    ]);
    expect(e.batches.map(methods)).toEqual([
      [
        'eth_getTransactionCount 0xa',
        'eth_getBalance 0xa',
        'eth_getTransactionCount 0xb',
        'eth_getBalance 0xb',
      ],
    ]);
  });

  it('answers from the cache while the sealed head stays, and reads again once it moves', async () => {
    const { e, acc } = setup();
    expect(await acc.get('0xa')).toEqual({ nonce: 0, balance: 1000n });
    e.nonces.set('0xa', 1); // mined but not yet recorded: the lane still holds its transactions
    expect(await acc.get('0xa')).toEqual({ nonce: 0, balance: 1000n });
    expect(e.batches.length).toBe(1);
    e.head = 6;
    expect(await acc.get('0xa')).toEqual({ nonce: 1, balance: 1001n });
    expect(e.batches.length).toBe(2);
  });

  it('reads again what a recorded seal cut across, and does not cache the stale read', async () => {
    const { e, acc } = setup();
    e.during = () => {
      e.head = 6;
      e.nonces.set('0xa', 1);
    };
    expect(await acc.get('0xa')).toEqual({ nonce: 1, balance: 1001n });
    expect(e.batches.length).toBe(2);
    expect(await acc.get('0xa')).toEqual({ nonce: 1, balance: 1001n });
    expect(e.batches.length).toBe(2);
  });

  it('answers turns in call order, even when a later turn is all cache hits', async () => {
    const { e, acc } = setup();
    await acc.get('0xa');
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const slow = e.batch.bind(e);
    e.batch = async (calls) => {
      await gate;
      return slow(calls);
    };
    const order: string[] = [];
    const first = acc.get('0xb').then(() => order.push('0xb'));
    await new Promise((r) => setImmediate(r));
    const second = acc.get('0xa').then(() => order.push('0xa'));
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(order).toEqual([]);
    open();
    await Promise.all([first, second]);
    expect(order).toEqual(['0xb', '0xa']);
  });

  it('fails every waiting caller when the engine errs', async () => {
    const acc = new EngineAccounts({ batch: () => Promise.reject(new Error('down')) }, async () => 0);
    await expect(Promise.all([acc.get('0xa'), acc.get('0xb')])).rejects.toThrow('down');
  });
});
