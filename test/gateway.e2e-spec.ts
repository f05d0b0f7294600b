/**
 * The gateway and builder on the real embedded devnet: JSON-RPC edge cases, and public-lane
 * transactions sent over HTTP ending up in sealed L2 blocks in arrival order by nonce.
 */
import { keccak256 } from 'ethers';
import { REDIS } from '@sealane/core';
import { SEALANE_CODES, JSONRPC } from '@sealane/rpc';
import type { SealaneRedis, SealedBlock } from '@sealane/store';
import { startSealane, type Sealane } from '../apps/sealane/src/sealane';
import { rpc, rpcError, rpcRaw, transfer, wallet, waitFor } from './support/rpc';

describe('gateway + builder (e2e)', () => {
  let s: Sealane;
  let url: string;

  beforeAll(async () => {
    s = await startSealane({
      env: {
        COMPONENTS: 'gateway,builder',
        GATEWAY_PORT: '0',
        RPC_MAX_BODY_BYTES: '65536',
        RPC_MAX_BATCH: '100',
        GENESIS_PARAMS: JSON.stringify({ slotMs: 400 }),
      },
      logger: ['error'],
    });
    url = s.gatewayUrl!;
  });
  afterAll(() => s?.stop());

  it('answers chain id, batches and forwarded reads', async () => {
    expect(await rpc(url, 'eth_chainId')).toBe('0x5ea1');
    const { json } = await rpcRaw(
      url,
      JSON.stringify([
        { jsonrpc: '2.0', id: 1, method: 'eth_chainId' },
        { jsonrpc: '2.0', id: 2, method: 'eth_getBalance', params: [wallet(1).address, 'latest'] },
      ]),
    );
    expect(json).toEqual([
      { jsonrpc: '2.0', id: 1, result: '0x5ea1' },
      { jsonrpc: '2.0', id: 2, result: '0x21e19e0c9bab2400000' },
    ]);
    expect(Number(await rpc(url, 'eth_blockNumber'))).toBeGreaterThanOrEqual(0);
  });

  it('gives clear errors for bad input and keeps serving', async () => {
    expect((await rpcRaw(url, '{"jsonrpc":"2.0","id":1,')).json).toMatchObject({
      error: { code: JSONRPC.PARSE_ERROR },
    });
    const big = await rpcRaw(
      url,
      JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: ['x'.repeat(70_000)] }),
    );
    expect(big.status).toBe(413);
    expect(big.json).toMatchObject({
      error: { code: JSONRPC.INVALID_REQUEST, message: 'request body exceeds 65536 bytes' },
    });
    const tooMany = Array.from({ length: 101 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'eth_chainId' }));
    expect((await rpcRaw(url, JSON.stringify(tooMany))).json).toMatchObject({
      error: { code: JSONRPC.INVALID_REQUEST },
    });
    expect((await rpcError(url, 'anvil_setBalance', [wallet(1).address, '0x1'])).code).toBe(
      JSONRPC.METHOD_NOT_FOUND,
    );
    expect((await rpcError(url, 'evm_mine')).code).toBe(JSONRPC.METHOD_NOT_FOUND);
    expect((await rpcError(url, 'eth_sendRawTransaction', [42])).code).toBe(JSONRPC.INVALID_PARAMS);
    expect((await rpcError(url, 'eth_sendRawTransaction', [])).code).toBe(JSONRPC.INVALID_PARAMS);
    expect((await rpcError(url, 'eth_sendRawTransaction', ['0x02ff'])).code).toBe(
      SEALANE_CODES.InvalidTransactionError,
    );
    expect((await rpcError(url, 'eth_sendRawTransaction', [await transfer(1, 0, { chainId: 1 })])).code).toBe(
      SEALANE_CODES.WrongChainError,
    );
    expect((await rpcError(url, 'eth_getBalance', ['0x1234'])).code).toBe(JSONRPC.INVALID_PARAMS);
    expect(await rpc(url, 'eth_chainId')).toBe('0x5ea1');
  });

  it('seals public transactions in arrival order, by nonce, and refuses a stale nonce', async () => {
    // Sender 2 sends nonce 1 before nonce 0: it waits for the gap to fill.
    const a1 = await transfer(2, 1);
    const b0 = await transfer(3, 0);
    const a0 = await transfer(2, 0);
    const b1 = await transfer(3, 1);
    expect(await rpc(url, 'eth_sendRawTransaction', [a1])).toBe(keccak256(a1));
    // a1 waits for a0, so it is certainly still in the lane when sent again.
    const dup = await rpcError(url, 'eth_sendRawTransaction', [a1]);
    expect(dup).toMatchObject({ code: SEALANE_CODES.AlreadyKnownError, data: { name: 'AlreadyKnownError' } });
    for (const raw of [b0, a0, b1])
      expect(await rpc(url, 'eth_sendRawTransaction', [raw])).toBe(keccak256(raw));
    expect(await rpc(url, 'eth_getTransactionCount', [wallet(2).address, 'pending'])).toBe('0x2');

    const receipts = await waitFor('receipts', async () => {
      const rs = await Promise.all(
        [a1, b0, a0, b1].map((raw) =>
          rpc<{ blockNumber: string; transactionIndex: string } | null>(url, 'eth_getTransactionReceipt', [
            keccak256(raw),
          ]),
        ),
      );
      return rs.every(Boolean) ? rs : undefined;
    });
    const pos = receipts.map((r) => [Number(r!.blockNumber), Number(r!.transactionIndex)]);
    const [pa1, pb0, pa0, pb1] = pos;
    const before = (x: number[], y: number[]) => x[0] < y[0] || (x[0] === y[0] && x[1] < y[1]);
    expect(before(pb0, pa0)).toBe(true); // arrival order
    expect(before(pa0, pa1)).toBe(true); // nonce order within a sender
    expect(before(pb0, pb1)).toBe(true);
    expect(await rpc(url, 'sealane_getTransactionStatus', [keccak256(a0)])).toEqual({
      status: 'included',
      block: pa0[0],
      index: pa0[1],
    });

    // A stale nonce is refused at the edge, as a node refuses it, and nothing enters the lane.
    const stale = await transfer(2, 0, { value: 5n });
    expect(await rpcError(url, 'eth_sendRawTransaction', [stale])).toMatchObject({
      code: SEALANE_CODES.NonceTooLowError,
      message: 'nonce too low: next nonce 2, tx nonce 0',
    });
    expect(await rpc(url, 'sealane_getTransactionStatus', [keccak256(stale)])).toBeNull();
    expect(await rpc(url, 'eth_getTransactionReceipt', [keccak256(stale)])).toBeNull();
  });

  it('keeps arrival order in blocks of many senders and more than 64 transactions', async () => {
    // One JSON-RPC batch: the lane receives them in this order, all before the slot closes.
    const raws: string[] = [];
    for (let nonce = 0; nonce < 12; nonce++)
      for (const from of [4, 5, 6, 7, 8, 1]) raws.push(await transfer(from, nonce));
    const { status, json } = await rpcRaw(
      url,
      JSON.stringify(
        raws.map((raw, id) => ({ jsonrpc: '2.0', id, method: 'eth_sendRawTransaction', params: [raw] })),
      ),
    );
    expect(status).toBe(200);
    expect((json as { result: string }[]).map((r) => r.result)).toEqual(raws.map((r) => keccak256(r)));
    const receipts = await waitFor('receipts', async () => {
      const rs = await Promise.all(
        raws.map((raw) =>
          rpc<{ blockNumber: string; transactionIndex: string } | null>(url, 'eth_getTransactionReceipt', [
            keccak256(raw),
          ]),
        ),
      );
      return rs.every(Boolean)
        ? rs.map((r) => [Number(r!.blockNumber), Number(r!.transactionIndex)])
        : undefined;
    });
    const sorted = [...receipts].sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    expect(receipts).toEqual(sorted);
    const perBlock = new Map<number, number>();
    for (const [b] of receipts) perBlock.set(b, (perBlock.get(b) ?? 0) + 1);
    expect(Math.max(...perBlock.values())).toBeGreaterThan(64);
  });

  it('sealed blocks carry exactly the recorded order and slot timestamps', async () => {
    const head = Number(await rpc(url, 'eth_blockNumber'));
    let prevTs = 0;
    for (let n = 1; n <= head; n++) {
      const b = await rpc<{ timestamp: string; transactions: string[] }>(url, 'eth_getBlockByNumber', [
        '0x' + n.toString(16),
        false,
      ]);
      const rec = JSON.parse(
        (await s.app.get<SealaneRedis>(REDIS).get(`sealane:block:${n}`)) ?? 'null',
      ) as SealedBlock;
      expect(rec.txHashes).toEqual(b.transactions);
      expect(rec.txs.map((raw) => keccak256(raw))).toEqual(b.transactions);
      expect(Number(b.timestamp)).toBe(Math.floor(rec.startMs / 1000));
      expect(Number(b.timestamp)).toBeGreaterThanOrEqual(prevTs);
      prevTs = Number(b.timestamp);
    }
  });

  describe('eth_sendRawTransactionSync (EIP-7966)', () => {
    const nonceOf = async (i: number) =>
      Number(await rpc<string>(url, 'eth_getTransactionCount', [wallet(i).address, 'pending']));

    it('answers the receipt once the transaction is sealed', async () => {
      const raw = await transfer(6, await nonceOf(6));
      const receipt = await rpc<{ transactionHash: string; blockNumber: string; status: string }>(
        url,
        'eth_sendRawTransactionSync',
        [raw],
      );
      expect(receipt).toMatchObject({ transactionHash: keccak256(raw), status: '0x1' });
      expect(receipt).toEqual(await rpc(url, 'eth_getTransactionReceipt', [keccak256(raw)]));
    });

    it('answers code 4 with the hash when no receipt comes in time; the transaction stays and lands', async () => {
      // A nonce gap: accepted into the lane, but it cannot be sealed until the gap is filled.
      const n = await nonceOf(7);
      const ahead = await transfer(7, n + 1);
      const err = await rpcError(url, 'eth_sendRawTransactionSync', [ahead, 300]);
      expect(err).toMatchObject({ code: 4, data: { name: 'ReceiptTimeoutError', detail: keccak256(ahead) } });
      expect(err.message).toMatch('not sealed within 300 ms');
      await rpc(url, 'eth_sendRawTransactionSync', [await transfer(7, n), '0x1388']);
      await waitFor('the later one', () => rpc(url, 'eth_getTransactionReceipt', [keccak256(ahead)]));
    });

    it('refuses what eth_sendRawTransaction refuses, at once, with its code', async () => {
      const err = await rpcError(url, 'eth_sendRawTransactionSync', [await transfer(6, 0)]);
      expect(err.code).toBe(SEALANE_CODES.NonceTooLowError);
      expect((await rpcError(url, 'eth_sendRawTransactionSync', ['0x1234'])).code).toBe(
        SEALANE_CODES.InvalidTransactionError,
      );
      expect((await rpcError(url, 'eth_sendRawTransactionSync', [])).code).toBe(JSONRPC.INVALID_PARAMS);
    });
  });
});
