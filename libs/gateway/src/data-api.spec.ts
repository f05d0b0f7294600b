import { toHex } from '@sealane/protocol';
import type { BundleStatus, SealedBlock, SlotResults } from '@sealane/store';
import {
  batchRow,
  bidRows,
  commitmentRows,
  historyRow,
  phaseOf,
  refundRows,
  slotRow,
  winnerRows,
} from './data-api';
import {
  addressParam,
  DataApiError,
  intParam,
  limitParam,
  page,
  readQuery,
  slotWindow,
} from './data-api.query';
import { bidLeafOf } from './searcher-api';

const h = (n: number) => '0x' + n.toString(16).padStart(64, '0');
const SEARCHER_A = '0x' + 'aa'.repeat(20);
const SEARCHER_B = '0x' + 'bb'.repeat(20);

const codeOf = (f: () => unknown): string | undefined => {
  try {
    f();
  } catch (e) {
    if (e instanceof DataApiError) return e.code;
    throw e;
  }
  return undefined;
};

function status(n: number, value: string, gasUsed: number, extra: Partial<BundleStatus> = {}): BundleStatus {
  return {
    bundleHash: h(n),
    searcher: n % 2 ? SEARCHER_A : SEARCHER_B,
    slot: 7,
    state: 'lost',
    receivedAt: 1000 + n,
    value,
    gasUsed,
    ...extra,
  };
}

function results(statuses: BundleStatus[], winners: SlotResults['winners'] = []): SlotResults {
  return {
    slot: 7,
    block: 7,
    paramsVersion: 0,
    rules: {
      pricing: 'critical',
      ranking: 'value',
      reservePrice: '0',
      gasBudget: 1e6,
    },
    seed: h(99),
    bids: statuses.length,
    bidsRoot: h(98),
    leaves: statuses.map((s) => toHex(bidLeafOf(s))),
    winners,
    dropped: [],
  };
}

const winner = (n: number, value: string, price: string, refund: string) => ({
  bundleHash: h(n),
  searcher: n % 2 ? SEARCHER_A : SEARCHER_B,
  value,
  price,
  refund,
  gasUsed: 21000,
  priceSetBy: null,
  ...(refund !== '0' ? { refundTxHash: h(500 + n) } : {}),
});

describe('data API queries', () => {
  it('refuses unknown and repeated parameters', () => {
    expect(readQuery({ limit: '5' }, ['limit'])).toEqual({ limit: '5' });
    expect(codeOf(() => readQuery({ foo: '1' }, ['limit']))).toBe('unknown-param');
    expect(codeOf(() => readQuery({ x: '1' }, []))).toBe('unknown-param');
    expect(codeOf(() => readQuery({ limit: ['1', '2'] }, ['limit']))).toBe('bad-param');
    expect(readQuery(undefined, [])).toEqual({});
  });

  it('reads decimal integers only', () => {
    expect(intParam('0', 'slot')).toBe(0);
    expect(intParam('42', 'slot')).toBe(42);
    expect(intParam(undefined, 'slot')).toBeUndefined();
    for (const bad of ['', '-1', '0x10', '01', '1.5', ' 1', '1e3', '99999999999999999'])
      expect(codeOf(() => intParam(bad, 'slot'))).toBe('bad-param');
  });

  it('bounds the limit and checks addresses', () => {
    expect(limitParam(undefined)).toBe(100);
    expect(limitParam('200')).toBe(200);
    expect(codeOf(() => limitParam('201'))).toBe('bad-limit');
    expect(codeOf(() => limitParam('0'))).toBe('bad-limit');
    expect(codeOf(() => limitParam('ten'))).toBe('bad-param');
    expect(addressParam('0x' + 'AB'.repeat(20), 'searcher')).toBe('0x' + 'ab'.repeat(20));
    expect(codeOf(() => addressParam('0x1234', 'searcher'))).toBe('bad-param');
  });

  it('never reads a slot above the sealed head', () => {
    expect(slotWindow({}, 50, 10)).toEqual({ hi: 50, lo: 41, floor: 1 });
    expect(slotWindow({ cursor: '500' }, 50, 10)).toEqual({ hi: 50, lo: 41, floor: 1 });
    expect(slotWindow({ to: '30', from: '25' }, 50, 10)).toEqual({ hi: 30, lo: 25, floor: 25 });
    expect(slotWindow({ slot: '51' }, 50, 10)).toMatchObject({ hi: 50, lo: 51 });
    expect(slotWindow({ slot: '20' }, 50, 10)).toMatchObject({ hi: 20, lo: 20 });
    expect(slotWindow({ from: '60' }, 50, 10)).toMatchObject({ hi: 50, lo: 60 });
    expect(slotWindow({}, 0, 10)).toMatchObject({ hi: 0, lo: 1 });
  });

  it('refuses windows that contradict themselves', () => {
    expect(codeOf(() => slotWindow({ slot: '3', cursor: '4' }, 50, 10))).toBe('bad-range');
    expect(codeOf(() => slotWindow({ cursor: '3', to: '4' }, 50, 10))).toBe('bad-range');
    expect(codeOf(() => slotWindow({ from: '9', to: '4' }, 50, 10))).toBe('bad-range');
  });

  it('pages whole slots and says where the next page starts', () => {
    const per = [
      { slot: 10, rows: [1, 2] },
      { slot: 9, rows: [] },
      { slot: 8, rows: [3, 4, 5] },
      { slot: 7, rows: [6] },
    ];
    expect(page(per, 3, 1)).toEqual({ rows: [1, 2], next: 8 });
    expect(page(per, 5, 1)).toEqual({ rows: [1, 2, 3, 4, 5], next: 7 });
    expect(page(per, 10, 1)).toEqual({ rows: [1, 2, 3, 4, 5, 6], next: 6 });
    expect(page(per, 10, 7)).toEqual({ rows: [1, 2, 3, 4, 5, 6], next: null });
    expect(page([{ slot: 4, rows: [1, 2, 3] }], 2, 1)).toEqual({ rows: [1, 2], next: 3 });
    expect(page([], 2, 1)).toEqual({ rows: [], next: null });
  });
});

describe('data API records', () => {
  it('flattens winners and keeps refunds above zero of one searcher', () => {
    const r = results([], [winner(1, '100', '40', '60'), winner(2, '50', '50', '0')]);
    expect(winnerRows(r)).toEqual([
      expect.objectContaining({ slot: 7, bundleHash: h(1), price: '40', refund: '60', refundTxHash: h(501) }),
      expect.objectContaining({ bundleHash: h(2), refund: '0', refundTxHash: null }),
    ]);
    expect(refundRows(r).map((w) => w.bundleHash)).toEqual([h(1)]);
    expect(refundRows(r, SEARCHER_B)).toEqual([]);
    expect(refundRows(r, SEARCHER_A)).toHaveLength(1);
  });

  it('lists the bids counted in the tree, ranked by value then by the seeded tie-break', () => {
    const counted = [status(1, '10', 100), status(2, '30', 100), status(3, '30', 100), status(4, '0', 0)];
    const stray = status(5, '999', 1);
    const r = results(counted, [winner(2, '30', '30', '0')]);
    const rows = bidRows(r, [...counted, stray, null]);
    expect(rows.map((b) => b.bundleHash).slice(2)).toEqual([h(1), h(4)]);
    expect(new Set(rows.slice(0, 2).map((b) => b.bundleHash))).toEqual(new Set([h(2), h(3)]));
    expect(rows.map((b) => b.rank)).toEqual([1, 2, 3, 4]);
    expect(rows.find((b) => b.bundleHash === h(2))).toMatchObject({ won: true, bidsRoot: h(98) });
    expect(rows.find((b) => b.bundleHash === h(3))!.won).toBe(false);
    // The tie is broken the same way whatever order the statuses come in.
    expect(bidRows(r, [...counted].reverse()).map((b) => b.bundleHash)).toEqual(
      rows.map((b) => b.bundleHash),
    );
  });

  it('ranks per gas when the slot ranked so', () => {
    const counted = [status(1, '100', 100), status(2, '60', 20)];
    const r = { ...results(counted), rules: { ...results(counted).rules, ranking: 'valuePerGas' as const } };
    expect(bidRows(r, counted).map((b) => b.bundleHash)).toEqual([h(2), h(1)]);
  });

  it('summarises a slot', () => {
    const b: SealedBlock = {
      number: 7,
      hash: h(7),
      parentHash: h(6),
      timestamp: 10,
      startMs: 10_000,
      txs: ['0x01', '0x02'],
      txHashes: [h(71), h(72)],
      paramsVersion: 1,
      stateRoot: h(0),
      feeRecipient: SEARCHER_A,
      orderRoot: h(3),
      bidsRoot: h(98),
      forceInclusionDelaySlots: 10,
    };
    const r = results([], [winner(1, '100', '40', '60'), winner(2, '50', '25', '25')]);
    const row = slotRow(
      b,
      500,
      r,
      [{ state: 'included', slot: 7, position: 0 }, null, { state: 'expired', slot: 7, position: 2 }],
      {
        gasUsed: 42_000,
        gasLimit: 30_000_000,
      },
    );
    expect(row).toMatchObject({
      slot: 7,
      endMs: 10_500,
      txs: 2,
      gasUsed: 42_000,
      winners: 2,
      clearingPrice: '25',
      paid: '65',
      refunded: '85',
      commitments: 3,
      commitmentsIncluded: 1,
      commitmentsExpired: 1,
      commitmentsSkipped: 0,
      builder: null,
    });
    expect(slotRow(b, 500, null, [], null)).toMatchObject({
      bids: 0,
      winners: 0,
      clearingPrice: null,
      gasUsed: null,
    });
  });

  it('shapes commitments without their ciphertext', () => {
    const rows = commitmentRows(
      7,
      [{ commitment: h(1), sender: SEARCHER_A, feeTxHash: h(2) }],
      [{ state: 'skipped', slot: 7, position: 0, code: 'wrong-nonce', reason: 'nonce' }],
    );
    expect(rows).toEqual([
      {
        slot: 7,
        position: 0,
        commitment: h(1),
        sender: SEARCHER_A,
        state: 'skipped',
        block: null,
        index: null,
        txHash: null,
        feeTxHash: h(2),
        reason: 'nonce',
        code: 'wrong-nonce',
      },
    ]);
  });

  it('works out a batch ratio and its lag', () => {
    const b = {
      sequenceNumber: 3,
      firstBlock: 10,
      lastBlock: 14,
      l1TxHash: h(1),
      l1BlockNumber: 99,
      rawBytes: 1000,
      compressedBytes: 300,
      dataHash: h(2),
    };
    expect(batchRow(b, 20_000, 18_500)).toMatchObject({ blocks: 5, ratio: 3.33, lagMs: 1500, l1Block: 99 });
    expect(batchRow(b, null, 18_500)).toMatchObject({ l1TimeMs: null, lagMs: null });
    expect(batchRow(b, 18_000, 18_500).lagMs).toBe(0);
    expect(batchRow({ ...b, compressedBytes: 0 }, null, null).ratio).toBeNull();
  });

  it("tells the open slot's phase", () => {
    const t = { startMs: 0, closeMs: 600, endMs: 1000 };
    expect(phaseOf(t, false, 700)).toBe('open');
    expect(phaseOf(t, true, 700)).toBe('closed');
    expect(phaseOf(t, true, 1000)).toBe('sealing');
  });

  it('flattens a governance decision', () => {
    const row = historyRow(4, {
      kind: 'params',
      proposalId: h(1),
      at: 5,
      openSlot: 9,
      activationSlot: 20,
      version: 2,
      changes: [{ name: 'slotMs', from: 500, to: 600 }],
      signatures: [{ member: SEARCHER_A, signature: '0x' }],
    });
    expect(row).toMatchObject({
      index: 4,
      activationSlot: 20,
      signers: [SEARCHER_A],
      nonce: null,
      cancelledStatus: null,
    });
  });
});
