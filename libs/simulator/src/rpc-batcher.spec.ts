import { EngineRpcError, type BatchResult, type EngineClient, type RpcCall } from '@sealane/engine';
import { RpcBatcher, isTransportFailure } from './rpc-batcher';
import { SimulationFailedError } from './simulator.error';

/** An engine that answers every call with its method name, or an error for 'bad'. */
function fakeEngine() {
  const requests: RpcCall[][] = [];
  let inFlight = 0;
  let maxSeen = 0;
  const engine = {
    async batch(calls: RpcCall[]): Promise<BatchResult[]> {
      requests.push(calls);
      maxSeen = Math.max(maxSeen, ++inFlight);
      await new Promise((r) => setTimeout(r, 1));
      inFlight--;
      return calls.map(([m]) =>
        m === 'bad' ? { ok: false, error: new EngineRpcError(m, -32000, 'nope') } : { ok: true, result: m },
      );
    },
  } as unknown as EngineClient;
  return { engine, requests, maxInFlight: () => maxSeen };
}

describe('RpcBatcher', () => {
  it('sends calls made in one turn as one batch and routes each answer to its caller', async () => {
    const f = fakeEngine();
    const b = new RpcBatcher(f.engine, { maxBatch: 100, maxInFlight: 4 });
    const out = await Promise.allSettled([b.call('a', []), b.call('bad', []), b.call('c', [])]);
    expect(f.requests).toHaveLength(1);
    expect(out[0]).toEqual({ status: 'fulfilled', value: 'a' });
    expect(out[1]).toMatchObject({ status: 'rejected', reason: { rpcMessage: 'nope' } });
    expect(out[2]).toEqual({ status: 'fulfilled', value: 'c' });
  });

  it('splits a large turn over the free request slots, never exceeding them', async () => {
    const f = fakeEngine();
    const b = new RpcBatcher(f.engine, { maxBatch: 10, maxInFlight: 2 });
    const out = await Promise.all(Array.from({ length: 45 }, (_, i) => b.call(`m${i}`, [])));
    expect(out).toEqual(Array.from({ length: 45 }, (_, i) => `m${i}`));
    expect(f.maxInFlight()).toBe(2);
    expect(f.requests.every((r) => r.length <= 10)).toBe(true);
    expect(f.requests.flat().length).toBe(45);
  });

  it('rejects every call of a request that failed as a whole', async () => {
    const engine = { batch: () => Promise.reject(new Error('socket closed')) } as unknown as EngineClient;
    const b = new RpcBatcher(engine, { maxBatch: 10, maxInFlight: 1 });
    await expect(Promise.all([b.call('a', []), b.call('b', [])])).rejects.toThrow('socket closed');
  });
});

describe('RpcBatcher, when the engine refuses a whole request', () => {
  it('sends each half again, so that only the call the engine cannot take fails', async () => {
    const requests: number[] = [];
    // Like anvil over its size limit: one error object for any request holding the 'huge' call.
    const engine = {
      async batch(calls: RpcCall[]): Promise<BatchResult[]> {
        requests.push(calls.length);
        const refused = calls.some(([m]) => m === 'huge');
        return calls.map(([m]) =>
          refused
            ? { ok: false, error: new EngineRpcError(m, -32600, 'Invalid request', undefined, true) }
            : { ok: true, result: m },
        );
      },
    } as unknown as EngineClient;
    const b = new RpcBatcher(engine, { maxBatch: 100, maxInFlight: 1 });
    const names = Array.from({ length: 16 }, (_, i) => (i === 5 ? 'huge' : `m${i}`));
    const out = await Promise.allSettled(names.map((m) => b.call(m, [])));
    out.forEach((o, i) =>
      i === 5
        ? expect(o).toMatchObject({ status: 'rejected', reason: { rpcMessage: 'Invalid request' } })
        : expect(o).toEqual({ status: 'fulfilled', value: names[i] }),
    );
    // Halving: 16, then 8 + 8, the half holding 'huge' 4 + 4, then 2 + 2, then 1 + 1.
    expect(requests).toEqual([16, 8, 8, 4, 4, 2, 2, 1, 1]);
  });
});

describe('isTransportFailure', () => {
  const coded = (code: string) => Object.assign(new Error(code), { code });

  it('tells an unreachable engine (socket and undici codes) from an answer about the call', () => {
    expect(isTransportFailure(coded('ECONNREFUSED'))).toBe(true);
    expect(isTransportFailure(coded('UND_ERR_CONNECT_TIMEOUT'))).toBe(true);
    expect(isTransportFailure(new EngineRpcError('eth_simulateV1', -32000, 'insufficient funds'))).toBe(
      false,
    );
    expect(isTransportFailure(coded('CALL_EXCEPTION'))).toBe(false);
    expect(isTransportFailure('ECONNREFUSED')).toBe(false);
  });

  it("looks through the simulator's errors to their cause", () => {
    const wrapped = new SimulationFailedError('debug_traceCall failed', { cause: coded('ECONNRESET') });
    expect(isTransportFailure(new SimulationFailedError('outer', { cause: wrapped }))).toBe(true);
    expect(isTransportFailure(new SimulationFailedError('eth_simulateV1 returned a short block'))).toBe(
      false,
    );
  });
});
