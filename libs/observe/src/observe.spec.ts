import { ZeroHash } from 'ethers';
import type { SlotRecord } from '@sealane/store';
import { logEvent, SealaneLogger } from './log';
import { SealaneMetrics } from './metrics';
import { parsePrometheusText, sampleValue } from './prom-text';
import { slotEvents, slotFigures } from './slot-report';

const h = (n: number) => '0x' + n.toString(16).padStart(64, '0');
const a = (n: number) => '0x' + n.toString(16).padStart(40, '0');

function record(): SlotRecord {
  return {
    block: {
      number: 7,
      hash: h(7),
      parentHash: h(6),
      timestamp: 100,
      startMs: 100_000,
      txs: ['0x01', '0x02', '0x03', '0x04'],
      txHashes: [h(11), h(12), h(13), h(14)],
      paramsVersion: 2,
      stateRoot: h(99),
      feeRecipient: a(1),
      orderRoot: ZeroHash,
      bidsRoot: h(55),
      forceInclusionDelaySlots: 10,
    },
    txs: [
      { hash: h(11), from: a(2), status: { status: 'included', block: 7, index: 2 } },
      {
        hash: h(15),
        from: a(3),
        status: { status: 'skipped', slot: 7, reason: 'nonce too low', code: 'nonce-too-low' },
      },
    ],
    bundles: [
      { bundleHash: h(21), patch: { state: 'included', block: 7 } },
      { bundleHash: h(22), patch: { state: 'dropped', code: 'below-price', reason: 'pays less' } },
    ],
    commitments: [
      { commitment: h(31), patch: { state: 'included', block: 7 } },
      { commitment: h(32), patch: { state: 'expired', reason: 'not revealed' } },
    ],
    results: {
      slot: 7,
      block: 7,
      paramsVersion: 2,
      rules: { pricing: 'second-price', ranking: 'value', reservePrice: '0', gasBudget: 1_000_000 },
      seed: h(1),
      bids: 3,
      bidsRoot: h(55),
      leaves: [],
      winners: [
        {
          bundleHash: h(21),
          searcher: a(4),
          value: '3000000000',
          price: '2000000000',
          refund: '1000000000',
          gasUsed: 21000,
          priceSetBy: h(23),
        },
        {
          bundleHash: h(24),
          searcher: a(5),
          value: '5000000000',
          price: '5000000000',
          refund: '0',
          gasUsed: 21000,
          priceSetBy: null,
        },
      ],
      dropped: [{ bundleHash: h(22), reason: 'pays less' }],
    },
  } as unknown as SlotRecord;
}

describe('slot report', () => {
  it('reads the figures off the record', () => {
    const f = slotFigures(record());
    expect(f).toMatchObject({
      block: 7,
      txs: 4,
      bids: 3,
      winners: 2,
      clearingPriceWei: 2_000_000_000n,
      revenueWei: 7_000_000_000n,
      refunds: 1,
      refundsWei: 1_000_000_000n,
      dropped: [{ code: 'below-price' }],
      skipped: [{ code: 'nonce-too-low' }],
      commitments: { included: 1, skipped: 0, expired: 1 },
    });
  });

  it('says the auction and the commitments in one line each, with their fields', () => {
    const r = record();
    const [auction, commits] = slotEvents(r, slotFigures(r));
    expect(auction.event).toBe('auction.result');
    expect(auction.msg).toMatch(
      /^slot 7 auction: 3 bids, 2 won .*1 dropped \(below-price\), clearing price 2\.0 gwei/,
    );
    expect(auction).toMatchObject({ slot: 7, bids: 3, bidsRoot: h(55), clearingPriceWei: 2_000_000_000n });
    expect(commits).toMatchObject({ event: 'commitments.outcome', slot: 7, included: 1, expired: 1 });
    expect(commits.msg).toContain('not revealed');
  });

  it('prints nothing for a slot without bids or commitments', () => {
    const r = { ...record(), commitments: [], results: null };
    expect(slotEvents(r, slotFigures(r))).toEqual([]);
  });
});

describe('metrics', () => {
  it('scrapes as valid Prometheus text with what was recorded', async () => {
    const m = new SealaneMetrics(true);
    m.sealed(slotFigures(record()), { delayMs: 600, slotMs: 500 });
    m.phase('clear', 12);
    m.rpc('eth_sendRawTransaction', 0, 1.5);
    m.rpc('eth_sendRawTransaction', -32000, 0.5);
    m.batchPosted({ blocks: 3, rawBytes: 1000, compressedBytes: 250, lagBlocks: 2 });
    m.watchRecoveryQueue(() => 5);
    const samples = parsePrometheusText(await m.scrape());
    expect(sampleValue(samples, 'sealane_builder_blocks_sealed_total')).toBe(1);
    expect(sampleValue(samples, 'sealane_builder_slot_overruns_total')).toBe(1);
    expect(sampleValue(samples, 'sealane_auction_bids_total')).toBe(3);
    expect(sampleValue(samples, 'sealane_auction_clearing_price_wei')).toBe(2e9);
    expect(sampleValue(samples, 'sealane_auction_dropped_winners_total', { code: 'below-price' })).toBe(1);
    expect(sampleValue(samples, 'sealane_mempool_commitments_total', { outcome: 'expired' })).toBe(1);
    expect(sampleValue(samples, 'sealane_builder_public_skipped_total', { code: 'nonce-too-low' })).toBe(1);
    expect(sampleValue(samples, 'sealane_builder_slot_phase_seconds_count', { phase: 'clear' })).toBe(1);
    expect(sampleValue(samples, 'sealane_gateway_requests_total', { method: 'eth_sendRawTransaction' })).toBe(
      2,
    );
    expect(sampleValue(samples, 'sealane_gateway_recovery_queue')).toBe(5);
    expect(sampleValue(samples, 'sealane_batcher_comp_ratio_sum')).toBeCloseTo(0.25);
    expect(sampleValue(samples, 'process_cpu_seconds_total')).toBeGreaterThan(0);
  });

  it('records nothing when off', async () => {
    const m = new SealaneMetrics(false);
    m.rpc('eth_chainId', 0, 1);
    const samples = parsePrometheusText(await m.scrape());
    expect(sampleValue(samples, 'sealane_gateway_requests_total')).toBeUndefined();
  });

  it('refuses text that is not exposition format', () => {
    expect(() => parsePrometheusText('foo 1\n')).toThrow(/no # TYPE/);
    expect(() => parsePrometheusText('# HELP x y\n# TYPE x gauge\nx{a=b} 1\n')).toThrow(/line 3/);
  });
});

describe('SealaneLogger', () => {
  const capture = (fn: () => void): string => {
    let out = '';
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => {
      out += String(c);
      return true;
    });
    try {
      fn();
    } finally {
      spy.mockRestore();
    }
    return out;
  };

  it('writes one JSON object a line, with the event fields and millisecond time', () => {
    const log = new SealaneLogger({ format: 'json', levels: ['log'] });
    const out = capture(() => {
      log.log(logEvent('auction.result', 'slot 3 auction: 1 bids', { slot: 3, priceWei: 5n }), 'builder');
      log.log('plain words', 'poster');
      log.debug('not at this level', 'poster');
    });
    const lines = out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({
      level: 'log',
      context: 'builder',
      event: 'auction.result',
      slot: 3,
      priceWei: '5',
    });
    expect(lines[0].msg).toBe('slot 3 auction: 1 bids');
    expect(lines[0].time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(lines[1]).toMatchObject({ msg: 'plain words', context: 'poster' });
  });

  it('prints text with a millisecond timestamp and the event message', () => {
    const log = new SealaneLogger({ format: 'text', levels: ['log'] });
    const out = capture(() => log.log(logEvent('x.y', 'sealed block 4'), 'builder'));
    expect(out).toMatch(
      /^\[sealane\] \d+ +- \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z +LOG \[builder\] sealed block 4\n$/,
    );
  });
});
