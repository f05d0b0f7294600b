import { RateLimitedError } from '@sealane/protocol';
import type { RpcContext } from '@sealane/rpc';
import { CallBundleApi, type CallBundleRequest } from './call-bundle-api';

const bundle = { txs: ['0x01'], blockNumber: '0x10' };
const ctxOf = (searcher: string, perBody?: Map<string, number>): RpcContext => ({
  rawBody: '',
  headers: { searcher },
  ...(perBody ? { perBody } : {}),
});

/** A CallBundleApi whose simulations wait until `finish()`; the searcher is read from a header. */
function api(limits = { perSearcher: 1, global: 2, perBody: 2 }) {
  const requests: CallBundleRequest[] = [];
  let finish = () => {};
  const done = new Promise<void>((r) => (finish = r));
  const a = new CallBundleApi(async (ctx) => String(ctx.headers.searcher), {
    callBundle: async (req) => {
      requests.push(req);
      await done;
      return 'simulated';
    },
    callBundleLimits: limits,
  });
  return { a, requests, finish };
}

describe('CallBundleApi', () => {
  it('passes the parsed request on: state latest unless given, coinbase lowercase', async () => {
    const { a, requests, finish } = api();
    finish();
    const coinbase = '0x' + 'AB'.repeat(20);
    await expect(a.callBundle([{ ...bundle, timestamp: 5, coinbase }], ctxOf('s'))).resolves.toBe(
      'simulated',
    );
    await a.callBundle([{ ...bundle, stateBlockNumber: '0xf' }], ctxOf('s'));
    expect(requests).toEqual([
      {
        txs: ['0x01'],
        blockNumber: 16,
        stateBlockNumber: 'latest',
        timestamp: 5,
        coinbase: coinbase.toLowerCase(),
      },
      { txs: ['0x01'], blockNumber: 16, stateBlockNumber: 15, timestamp: undefined, coinbase: undefined },
    ]);
    await expect(a.callBundle([{ ...bundle, coinbase: '0x12' }], ctxOf('s'))).rejects.toThrow(
      'coinbase must be an address',
    );
  });

  it('refuses the calls of one body beyond its limit, counted in their order', async () => {
    const { a, finish } = api({ perSearcher: 10, global: 10, perBody: 2 });
    finish();
    const body = new Map<string, number>();
    const out = await Promise.allSettled([0, 1, 2].map(() => a.callBundle([bundle], ctxOf('s', body))));
    expect(out.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
    expect((out[2] as PromiseRejectedResult).reason).toBeInstanceOf(RateLimitedError);
    expect((out[2] as PromiseRejectedResult).reason).toMatchObject({ data: { limit: 2 } });
  });

  it('refuses a searcher beyond its simulations in flight and waiting, and all beyond the global bound', async () => {
    const { a, requests, finish } = api({ perSearcher: 1, global: 2, perBody: 10 });
    const running = [a.callBundle([bundle], ctxOf('s')), a.callBundle([bundle], ctxOf('s'))];
    await expect(a.callBundle([bundle], ctxOf('s'))).rejects.toMatchObject({
      name: 'RateLimitedError',
      data: { limit: 1 },
    });
    running.push(a.callBundle([bundle], ctxOf('t')), a.callBundle([bundle], ctxOf('u')));
    await expect(a.callBundle([bundle], ctxOf('v'))).rejects.toMatchObject({ data: { limit: 2 } });
    finish();
    await expect(Promise.all(running)).resolves.toEqual(Array(4).fill('simulated'));
    expect(requests).toHaveLength(4);
  });
});
