import { AlreadyKnownError, StoreUnavailableError } from '@sealane/protocol';
import { JSONRPC, SEALANE_CODES } from './codes';
import { JsonRpcDispatcher, invalidParams } from './jsonrpc';
import { arity, hexData } from './params';

function dispatcher() {
  const internal: unknown[] = [];
  const d = new JsonRpcDispatcher({ maxBatch: 3, onInternalError: (e) => internal.push(e) })
    .register('echo', (p) => p)
    .register('strict', (p) => {
      arity(p, 1);
      return hexData(p[0], 'data');
    })
    .register('known', () => {
      throw new AlreadyKnownError('already known');
    })
    .register('boom', () => {
      throw new Error('secret internals');
    });
  return { d, internal };
}

describe('JsonRpcDispatcher', () => {
  it('tells onAnswered each method and answer code, for metrics', async () => {
    const seen: [string, number][] = [];
    const d = new JsonRpcDispatcher({ maxBatch: 5, onAnswered: (m, code) => seen.push([m, code]) })
      .register('ok', () => 1)
      .register('known', () => {
        throw new AlreadyKnownError('already known');
      });
    await d.handle(
      JSON.stringify([
        { jsonrpc: '2.0', id: 1, method: 'ok' },
        { jsonrpc: '2.0', id: 2, method: 'known' },
        { jsonrpc: '2.0', id: 3, method: 'nope' },
      ]),
    );
    expect(seen.sort()).toEqual(
      [
        ['ok', 0],
        ['(unknown)', JSONRPC.METHOD_NOT_FOUND],
        ['known', SEALANE_CODES.AlreadyKnownError],
      ].sort(),
    );
  });

  it('answers a call', async () => {
    const { d } = dispatcher();
    expect(await d.handle('{"jsonrpc":"2.0","id":7,"method":"echo","params":[1]}')).toEqual({
      jsonrpc: '2.0',
      id: 7,
      result: [1],
    });
  });

  it.each([
    ['{not json', JSONRPC.PARSE_ERROR],
    ['[]', JSONRPC.INVALID_REQUEST],
    ['42', JSONRPC.INVALID_REQUEST],
    ['{"jsonrpc":"1.0","id":1,"method":"echo"}', JSONRPC.INVALID_REQUEST],
    ['{"jsonrpc":"2.0","id":1,"method":5}', JSONRPC.INVALID_REQUEST],
    ['{"jsonrpc":"2.0","id":{},"method":"echo"}', JSONRPC.INVALID_REQUEST],
    ['{"jsonrpc":"2.0","id":1,"method":"echo","params":{"a":1}}', JSONRPC.INVALID_PARAMS],
    ['{"jsonrpc":"2.0","id":1,"method":"nope"}', JSONRPC.METHOD_NOT_FOUND],
    ['{"jsonrpc":"2.0","id":1,"method":"strict","params":[]}', JSONRPC.INVALID_PARAMS],
    ['{"jsonrpc":"2.0","id":1,"method":"strict","params":["0x1"]}', JSONRPC.INVALID_PARAMS],
    ['[1,2,3,4]', JSONRPC.INVALID_REQUEST],
  ])('answers %s with code %i', async (body, code) => {
    const { d } = dispatcher();
    const r = await d.handle(body);
    expect(r).toMatchObject({ error: { code } });
  });

  it('maps Sealane errors through the one table', async () => {
    const { d } = dispatcher();
    expect(await d.handle('{"jsonrpc":"2.0","id":1,"method":"known"}')).toMatchObject({
      error: {
        code: SEALANE_CODES.AlreadyKnownError,
        message: 'already known',
        data: { name: 'AlreadyKnownError' },
      },
    });
  });

  it('hides internal errors from the caller but reports them', async () => {
    const { d, internal } = dispatcher();
    const r = await d.handle('{"jsonrpc":"2.0","id":1,"method":"boom"}');
    expect(r).toEqual({
      jsonrpc: '2.0',
      id: 1,
      error: { code: JSONRPC.INTERNAL_ERROR, message: 'internal error' },
    });
    expect(JSON.stringify(r)).not.toContain('secret');
    expect(internal).toHaveLength(1);
  });

  it('answers an error the gateway translates (the store is down) with its stable code', async () => {
    const internal: unknown[] = [];
    let storeUp = false;
    const d = new JsonRpcDispatcher({
      maxBatch: 3,
      onInternalError: (e) => internal.push(e),
      translateError: (e) => (storeUp ? undefined : new StoreUnavailableError('store down', { cause: e })),
    }).register('boom', () => {
      throw new Error('Connection is closed.');
    });
    const down = (await d.handle('{"jsonrpc":"2.0","id":1,"method":"boom"}')) as { error: { code: number } };
    expect(down.error.code).toBe(SEALANE_CODES.StoreUnavailableError);
    expect(internal).toHaveLength(0);
    storeUp = true;
    const up = (await d.handle('{"jsonrpc":"2.0","id":2,"method":"boom"}')) as { error: { code: number } };
    expect(up.error.code).toBe(JSONRPC.INTERNAL_ERROR);
    expect(internal).toHaveLength(1);
  });

  it('handles batches in order, with notifications left out', async () => {
    const { d } = dispatcher();
    const r = await d.handle(
      JSON.stringify([
        { jsonrpc: '2.0', id: 'a', method: 'echo', params: ['x'] },
        { jsonrpc: '2.0', method: 'echo', params: ['notify'] },
        { jsonrpc: '2.0', id: 'b', method: 'nope' },
      ]),
    );
    expect(r).toEqual([
      { jsonrpc: '2.0', id: 'a', result: ['x'] },
      {
        jsonrpc: '2.0',
        id: 'b',
        error: { code: JSONRPC.METHOD_NOT_FOUND, message: 'method not found: nope' },
      },
    ]);
    expect(await d.handle('{"jsonrpc":"2.0","method":"echo"}')).toBeUndefined();
  });

  it('invalidParams carries the standard code', () => {
    expect(invalidParams('x').code).toBe(JSONRPC.INVALID_PARAMS);
  });
});
