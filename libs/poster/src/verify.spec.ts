import { formatVerifyReport, type VerifyReport } from './verify';

const base: VerifyReport = {
  ok: true,
  l1Block: 120,
  batches: 3,
  blocks: 9,
  transactions: 17,
  firstBlock: 1,
  lastBlock: 9,
  l2Head: 11,
  mismatches: [],
  truncated: false,
};

describe('formatVerifyReport', () => {
  it('summarises a passing check in two lines', () => {
    expect(formatVerifyReport(base)).toEqual([
      'verify OK: 3 batches, 9 blocks (blocks 1..9), 17 transactions on L1 match the L2 engine',
      '  read at L1 block 120; L2 engine head 11 (2 blocks not posted yet)',
    ]);
  });

  it('lists each mismatch with its block and batch', () => {
    const lines = formatVerifyReport({
      ...base,
      ok: false,
      l2Head: 9,
      mismatches: [
        { block: 4, batch: 1, reason: 'timestamp 8 on L1, 9 on the L2 engine' },
        { block: 10, reason: 'the Inbox counts 4 batches but 3 BatchAppended events were found' },
      ],
      truncated: true,
    });
    expect(lines).toEqual([
      'verify FAILED: 2+ mismatches in 3 batches, 9 blocks (blocks 1..9)',
      '  read at L1 block 120; L2 engine head 9',
      '  block 4 (batch 1): timestamp 8 on L1, 9 on the L2 engine',
      '  block 10: the Inbox counts 4 batches but 3 BatchAppended events were found',
      '  ... more mismatches not listed',
    ]);
  });

  it('says so when nothing is posted yet', () => {
    const r = {
      ...base,
      batches: 0,
      blocks: 0,
      transactions: 0,
      firstBlock: null,
      lastBlock: null,
      l2Head: 0,
    };
    expect(formatVerifyReport(r)[0]).toBe(
      'verify OK: 0 batches, 0 blocks (no blocks), 0 transactions on L1 match the L2 engine',
    );
  });
});
