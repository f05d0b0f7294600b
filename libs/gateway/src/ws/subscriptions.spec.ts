import { SEALANE_CODES, JSONRPC, RpcError } from '@sealane/rpc';
import { BlockFeed } from './block-feed';
import {
  headerOf,
  matchesLog,
  parseLogFilter,
  parseSubscribe,
  PreparedNews,
  SubscriptionSet,
  type BlockNews,
  type EthLog,
} from './subscriptions';

const A = '0x' + 'aa'.repeat(20);
const B = '0x' + 'bb'.repeat(20);
const T = (n: number) => '0x' + n.toString(16).padStart(64, '0');
const log = (address: string, ...topics: number[]): EthLog => ({
  address,
  topics: topics.map(T),
  data: '0x',
});
const match = (filter: unknown, l: EthLog) => matchesLog(parseLogFilter(filter), l);

function codeOf(f: () => unknown): number | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof RpcError ? e.code : SEALANE_CODES[(e as { name: keyof typeof SEALANE_CODES }).name];
  }
  return undefined;
}

describe('log filter matching (geth rules)', () => {
  it('matches any log with an empty filter', () => {
    expect(match({}, log(A))).toBe(true);
    expect(match({ address: [], topics: [] }, log(B, 1, 2))).toBe(true);
  });

  it('matches one address or any of a list, case-insensitively', () => {
    expect(match({ address: A }, log(A, 1))).toBe(true);
    expect(match({ address: A.toUpperCase().replace('0X', '0x') }, log(A))).toBe(true);
    expect(match({ address: A }, log(B, 1))).toBe(false);
    expect(match({ address: [B, A] }, log(A))).toBe(true);
    expect(match({ address: [B] }, log(A))).toBe(false);
  });

  it('matches topics by position, with null as a wildcard and arrays as OR', () => {
    const l = log(A, 1, 2, 3);
    expect(match({ topics: [T(1)] }, l)).toBe(true);
    expect(match({ topics: [T(2)] }, l)).toBe(false);
    expect(match({ topics: [null, T(2)] }, l)).toBe(true);
    expect(match({ topics: [null, null, T(3)] }, l)).toBe(true);
    expect(
      match(
        {
          topics: [
            [T(9), T(1)],
            [T(2), T(8)],
          ],
        },
        l,
      ),
    ).toBe(true);
    expect(match({ topics: [[T(9), T(8)]] }, l)).toBe(false);
    expect(match({ topics: [[], T(2)] }, l)).toBe(true);
    // A null among the alternatives makes the position a wildcard, as geth reads it.
    expect(match({ topics: [[T(9), null]] }, l)).toBe(true);
    expect(match({ address: A, topics: [T(1), null, T(3)] }, l)).toBe(true);
    expect(match({ address: B, topics: [T(1)] }, l)).toBe(false);
  });

  it('never matches a log with fewer topics than the filter has positions, even wildcards', () => {
    expect(match({ topics: [T(1), null] }, log(A, 1))).toBe(false);
    expect(match({ topics: [null] }, log(A))).toBe(false);
    expect(match({ topics: [T(1), null] }, log(A, 1, 5))).toBe(true);
  });

  it.each(
    [
      [null],
      ['x'],
      [[A]],
      [{ address: '0x12' }],
      [{ address: [A, 5] }],
      [{ topics: T(1) }],
      [{ topics: ['0x01'] }],
      [{ topics: [[T(1), 'nope']] }],
      [{ topics: [null, null, null, null, T(1)] }],
      [{ fromBlock: '0x1' }],
      [{ address: Array.from({ length: 1001 }, () => A) }],
    ].map(([f]) => [JSON.stringify(f).slice(0, 60), f]),
  )('refuses the filter %s with invalid params', (_, f) => {
    expect(codeOf(() => parseLogFilter(f))).toBe(JSONRPC.INVALID_PARAMS);
  });
});

describe('eth_subscribe params', () => {
  it('reads the three kinds', () => {
    expect(parseSubscribe(['newHeads'])).toEqual({ kind: 'newHeads' });
    expect(parseSubscribe(['sealane_slotResults'])).toEqual({ kind: 'sealane_slotResults' });
    expect(parseSubscribe(['logs'])).toMatchObject({ kind: 'logs', filter: { addresses: null, topics: [] } });
    expect(parseSubscribe(['logs', { address: A }])).toMatchObject({ filter: { addresses: new Set([A]) } });
  });

  it('refuses unknown kinds and extra params, naming the kinds', () => {
    expect(() => parseSubscribe(['newPendingTransactions'])).toThrow(/newHeads, logs, sealane_slotResults/);
    expect(codeOf(() => parseSubscribe([]))).toBe(JSONRPC.INVALID_PARAMS);
    expect(codeOf(() => parseSubscribe(['newHeads', {}]))).toBe(JSONRPC.INVALID_PARAMS);
    expect(codeOf(() => parseSubscribe(['logs', {}, {}]))).toBe(JSONRPC.INVALID_PARAMS);
  });
});

function news(n: number, logs: EthLog[] = [], results: unknown = { block: n }): BlockNews {
  return {
    number: n,
    header: headerOf({ number: n, hash: T(n), transactions: [], size: '0x1' }),
    logs,
    results,
  };
}

const results = (msgs: string[]) =>
  msgs.map((m) => JSON.parse(m) as { method: string; params: { subscription: string; result: unknown } });

describe('subscriptions of one connection', () => {
  it('makes geth notifications for each kind; the header has no body', () => {
    const set = new SubscriptionSet(10);
    const heads = set.add({ kind: 'newHeads' });
    const logs = set.add(parseSubscribe(['logs', { address: A, topics: [T(7)] }]));
    const res = set.add({ kind: 'sealane_slotResults' });
    set.activate([heads, logs, res]);
    const out = results(
      set.deliver(new PreparedNews(news(5, [log(A, 7), log(B, 7), log(A, 8), log(A, 7, 1)])))!,
    );
    expect(out.every((m) => m.method === 'eth_subscription')).toBe(true);
    expect(out.map((m) => m.params.subscription)).toEqual([heads.id, logs.id, logs.id, res.id]);
    expect(out[0].params.result).toEqual({ number: 5, hash: T(5) });
    expect(out[1].params.result).toEqual({ ...log(A, 7), removed: false });
    expect(out[2].params.result).toEqual({ ...log(A, 7, 1), removed: false });
    expect(out[3].params.result).toEqual({ block: 5 });
    // A block without published results sends nothing to sealane_slotResults.
    expect(
      results(set.deliver(new PreparedNews(news(6, [], null)))!).map((m) => m.params.subscription),
    ).toEqual([heads.id]);
  });

  it('queues a pending subscription until its answer is sent, then hands the queue on in order', () => {
    const set = new SubscriptionSet(10);
    const s = set.add({ kind: 'newHeads' });
    expect(set.deliver(new PreparedNews(news(1)))).toEqual([]);
    expect(set.deliver(new PreparedNews(news(2)))).toEqual([]);
    expect(results(set.activate([s])).map((m) => (m.params.result as { number: number }).number)).toEqual([
      1, 2,
    ]);
    expect(results(set.deliver(new PreparedNews(news(3)))!)).toHaveLength(1);
    expect(set.activate([s])).toEqual([]);
  });

  it('ids are unique hex; unsubscribe answers whether it existed; the bound refuses more', () => {
    const set = new SubscriptionSet(2);
    const a = set.add({ kind: 'newHeads' });
    const b = set.add({ kind: 'newHeads' });
    expect(a.id).toMatch(/^0x[0-9a-f]{32}$/);
    expect(a.id).not.toBe(b.id);
    expect(codeOf(() => set.add({ kind: 'newHeads' }))).toBe(SEALANE_CODES.RateLimitedError);
    expect(() => set.add({ kind: 'newHeads' })).toThrow(/at most 2 \(WS_MAX_SUBSCRIPTIONS\)/);
    expect(set.remove(a.id.toUpperCase().replace('0X', '0x'))).toBe(true);
    expect(set.remove(a.id)).toBe(false);
    expect(set.remove('0x1234')).toBe(false);
    expect(set.add({ kind: 'newHeads' }).id).toMatch(/^0x/);
    // A removed subscription's queued notifications are never handed on.
    set.remove(b.id);
    expect(set.activate([b])).toEqual([]);
  });
});

describe('block feed', () => {
  function feed(head: { n: number }, opts: { wanted?: () => boolean; failAt?: Set<number> } = {}) {
    const published: number[] = [];
    const reads: number[] = [];
    const f = new BlockFeed({
      sealedHead: () => Promise.resolve(head.n),
      read: (n) => {
        reads.push(n);
        return opts.failAt?.has(n) ? Promise.reject(new Error('not yet')) : Promise.resolve(news(n));
      },
      wanted: opts.wanted ?? (() => true),
      publish: (x) => published.push(x.number),
      onReadError: () => undefined,
    });
    return { f, published, reads };
  }
  const settle = () => new Promise((r) => setImmediate(r));

  it('starts at the head it first hears, then hands on every block once, in order', async () => {
    const head = { n: 10 };
    const { f, published } = feed(head);
    await f.poll();
    expect(f.head).toBe(10);
    f.heard(13);
    f.heard(12); // an old or repeated event changes nothing
    await settle();
    head.n = 15;
    await f.poll(); // the poll finds what the events missed
    await settle();
    f.heard(15);
    await settle();
    expect(published).toEqual([11, 12, 13, 14, 15]);
  });

  it('retries a block it could not read, without skipping it', async () => {
    const failAt = new Set([12]);
    const head = { n: 10 };
    const { f, published } = feed(head, { failAt });
    await f.poll();
    f.heard(14);
    await settle();
    expect(published).toEqual([11]);
    failAt.clear();
    await f.poll();
    await settle();
    expect(published).toEqual([11, 12, 13, 14]);
  });

  it('reads nothing while nobody listens, and stops', async () => {
    let listening = false;
    const head = { n: 3 };
    const { f, published, reads } = feed(head, { wanted: () => listening });
    await f.poll();
    f.heard(8);
    await settle();
    expect(reads).toEqual([]);
    expect(f.head).toBe(8);
    listening = true;
    f.heard(9);
    await settle();
    await f.stop();
    f.heard(10);
    await f.poll();
    expect(published).toEqual([9]);
  });
});
