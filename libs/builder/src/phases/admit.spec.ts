import { simBundle } from '../ports';
import { simulationOrder, type SimulationCandidate } from './admit';

describe('simBundle', () => {
  const txs = ['0x01', '0x02'];
  it('hands the simulator the senders recovered at intake, so it does not recover them again', () => {
    expect(simBundle({ txs, senders: ['0xaa', '0xbb'], revertingTxHashes: ['0xh'] })).toEqual({
      txs: [
        { raw: '0x01', from: '0xaa' },
        { raw: '0x02', from: '0xbb' },
      ],
      revertingTxHashes: ['0xh'],
    });
  });

  it('leaves a bundle stored without senders (an older gateway) to be recovered', () => {
    expect(simBundle({ txs, revertingTxHashes: [] })).toEqual({ txs, revertingTxHashes: [] });
  });
});

describe('simulationOrder', () => {
  const seed = new Uint8Array(32).fill(7);
  let n = 0;
  const bundle = (payer: string, size: number): SimulationCandidate => ({
    payer,
    b: {
      bundleHash: '0x' + (++n).toString(16).padStart(64, '0'),
      searcher: '0x' + n.toString(16).padStart(40, '0'),
      slot: 1,
      txs: Array.from({ length: size }, () => '0x'),
      txHashes: [],
      revertingTxHashes: [],
      droppingTxHashes: [],
      receivedAt: n,
    },
  });

  it("takes one bundle per paying account per round, smaller first, so many of one account's bundles cannot crowd out another's", () => {
    const junk = Array.from({ length: 50 }, () => bundle('0xjunk', 100));
    const good = bundle('0xgood', 3);
    const other = bundle('0xother', 100);
    // Sent last, under a different searcher identity each: identities do not buy turns.
    const order = simulationOrder([...junk, other, good], seed);
    expect(order[0]).toBe(good.b);
    // The other account's one bundle is in the first round, beside the junk account's first.
    expect(order.slice(1, 3).map((b) => b.bundleHash)).toContain(other.b.bundleHash);
    expect(order).toHaveLength(52);
    expect(new Set(order.map((b) => b.bundleHash)).size).toBe(52);
  });

  it("orders a round by size, then by a key from the close's seed, not by arrival", () => {
    const a = bundle('0xa', 5);
    const b = bundle('0xb', 5);
    const c = bundle('0xc', 1);
    const one = simulationOrder([a, b, c], seed);
    expect(one[0]).toBe(c.b);
    expect(simulationOrder([b, a, c], seed)).toEqual(one);
  });
});
