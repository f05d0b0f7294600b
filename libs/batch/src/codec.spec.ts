import { brotliCompressSync } from 'node:zlib';
import fc from 'fast-check';
import { encodeRlp } from 'ethers';
import {
  BatchDecodeError,
  decodeBatch,
  encodeBatch,
  encodeBatchRlp,
  InvalidBatchError,
  type BatchBlock,
} from './index';
import { fixtureBlock, noise } from './noise.fixture';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (h: string) => Uint8Array.from(Buffer.from(h.replace(/^0x/, ''), 'hex'));
const withVersion = (v: number, payload: Uint8Array) => Uint8Array.from([v, ...payload]);

const A = '0x' + 'aa'.repeat(32);
const TWO_BLOCKS: BatchBlock[] = [
  fixtureBlock(1, 1_700_000_000, [bytes('02aa'), bytes('bbcc')]),
  {
    ...fixtureBlock(2, 1_700_000_002, []),
    evidence: { paramsVersion: 3, forceInclusionDelaySlots: 0, orderRoot: A, bidsRoot: A },
  },
];
/** The RLP of a block's fixed fields after its transactions (fixtureBlock's), and of its evidence. */
const HEADER = `a0${'11'.repeat(32)}a0${'22'.repeat(32)}`;
const COINBASE = `94${'fe'.repeat(20)}`;

describe('batch codec', () => {
  it('encodes the RLP payload as [[number, timestamp, feeRecipient, txs, hash, stateRoot, evidence], ...] (known answer)', () => {
    const rlp = hex(encodeBatchRlp(TWO_BLOCKS));
    // Block 1: evidence [1, 10, '', ''] (zero roots are empty strings) = c4 01 0a 80 80.
    const b1 = `01846553f100${COINBASE}c68202aa82bbcc${HEADER}c4010a8080`;
    // Block 2: evidence [3, 0, root, root] = f844 03 80 a0.. a0..
    const b2 = `02846553f102${COINBASE}c0${HEADER}f84403 80a0${'aa'.repeat(32)}a0${'aa'.repeat(32)}`.replace(
      ' ',
      '',
    );
    expect(rlp).toBe(`f90111` + `f869${b1}` + `f8a4${b2}`);
    // Block 0 and timestamp 0 are the empty string (0x80), as RLP integers are.
    expect(hex(encodeBatchRlp([fixtureBlock(0, 0, [bytes('01')])])).slice(0, 12)).toBe('f862f8608080');
  });

  it('starts with version byte 0x01 and reports sizes', () => {
    const e = encodeBatch(TWO_BLOCKS, 11);
    expect(e.data[0]).toBe(1);
    expect(e.compressedBytes).toBe(e.data.length);
    expect(e.rawBytes).toBe(encodeBatchRlp(TWO_BLOCKS).length);
    expect(decodeBatch(e.data)).toEqual(TWO_BLOCKS);
  });

  it('compresses repetitive blocks well at level 11', () => {
    const tx = noise(7, 120);
    const blocks = Array.from({ length: 50 }, (_, i) => fixtureBlock(10 + i, 100 + 2 * i, [tx, tx]));
    const e = encodeBatch(blocks, 11);
    expect(e.rawBytes).toBeGreaterThan(12_000);
    expect(e.compressedBytes).toBeLessThan(1_000);
    expect(decodeBatch(e.data)).toEqual(blocks);
  });

  it('round-trips any consecutive blocks at any level', () => {
    const block = fc.record({
      timestamp: fc.integer({ min: 0, max: 2 ** 40 }),
      txs: fc.array(fc.uint8Array({ minLength: 1, maxLength: 200 }), { maxLength: 6 }),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER - 20 }),
        fc.array(block, { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 0, max: 11 }),
        (first, parts, level) => {
          const blocks = parts.map((p, i) => fixtureBlock(first + i, p.timestamp, p.txs));
          const e = encodeBatch(blocks, level);
          expect(e.rawBytes).toBe(encodeBatchRlp(blocks).length);
          expect(decodeBatch(e.data)).toEqual(blocks);
        },
      ),
      { numRuns: 150 },
    );
  });

  describe('refuses bad input with a BatchDecodeError and a reason', () => {
    const reasonOf = (data: Uint8Array, maxRawBytes?: number): string => {
      try {
        decodeBatch(data, { maxRawBytes });
      } catch (e: unknown) {
        expect(e).toBeInstanceOf(BatchDecodeError);
        expect((e as BatchDecodeError).name).toBe('BatchDecodeError');
        return (e as BatchDecodeError).reason;
      }
      throw new Error('decoded without error');
    };
    const compress = (rlpHex: string) => withVersion(1, brotliCompressSync(bytes(rlpHex)));

    it('empty data', () => expect(reasonOf(new Uint8Array())).toBe('empty'));
    it('an unknown version byte', () => {
      const good = encodeBatch(TWO_BLOCKS, 5).data;
      expect(reasonOf(withVersion(0, good.subarray(1)))).toBe('version');
    });
    it('a broken Brotli stream', () => {
      const good = encodeBatch(TWO_BLOCKS, 5).data;
      expect(reasonOf(good.subarray(0, good.length - 3))).toBe('compression');
      expect(reasonOf(Uint8Array.from([1, 1, 2, 3, 4, 5]))).toBe('compression');
    });
    it('a Brotli bomb beyond the size limit', () => {
      const big = withVersion(1, brotliCompressSync(new Uint8Array(1_000_000)));
      expect(reasonOf(big, 10_000)).toBe('too-large');
    });
    it('bytes that are not RLP', () => expect(reasonOf(compress('d6cd01'))).toBe('rlp'));
    it('RLP of the wrong shape', () => {
      const h = ['0x' + '11'.repeat(32), '0x' + '22'.repeat(32)];
      const cb = '0x' + 'fe'.repeat(20);
      const ev = ['0x01', '0x0a', '0x', '0x'];
      const item = (over: Record<number, unknown>) => {
        const b: unknown[] = ['0x01', '0x02', cb, [], ...h, ev];
        for (const [i, v] of Object.entries(over)) b[Number(i)] = v;
        return compress(encodeRlp([b as never]));
      };
      expect(decodeBatch(item({}))[0].number).toBe(1); // the well-formed item decodes
      expect(reasonOf(compress('8401020304'))).toBe('shape'); // a string, not a list
      expect(reasonOf(compress(encodeRlp([['0x01', '0x02']])))).toBe('shape'); // two fields
      expect(reasonOf(item({ 0: '0x0001' }))).toBe('shape'); // leading zero
      expect(reasonOf(item({ 3: [['0x01']] }))).toBe('shape'); // tx is a list
      expect(reasonOf(item({ 3: ['0x'] }))).toBe('shape'); // empty tx
      expect(reasonOf(item({ 2: '0x' + 'fe'.repeat(19) }))).toBe('shape'); // short fee recipient
      expect(reasonOf(item({ 4: '0x11' }))).toBe('shape'); // short hash
      expect(reasonOf(item({ 6: ['0x01'] }))).toBe('shape'); // evidence of one field
      expect(reasonOf(item({ 6: ['0x01', '0x0a', '0x12', '0x'] }))).toBe('shape'); // short root
    });
    it('no blocks', () => expect(reasonOf(compress('c0'))).toBe('empty'));
    it('blocks that are not consecutive', () => {
      const b1 = fixtureBlock(1, 2, []);
      const b3 = fixtureBlock(3, 4, []);
      const list = (b: BatchBlock) => [
        '0x' + b.number.toString(16).padStart(2, '0'),
        '0x' + b.timestamp.toString(16).padStart(2, '0'),
        b.feeRecipient,
        [],
        b.hash,
        b.stateRoot,
        ['0x01', '0x0a', '0x', '0x'],
      ];
      expect(reasonOf(compress(encodeRlp([list(b1), list(b3)])))).toBe('sequence');
    });
  });

  it('refuses to encode what cannot be a batch', () => {
    expect(() => encodeBatch([], 11)).toThrow(InvalidBatchError);
    expect(() => encodeBatch([fixtureBlock(1, 1, []), fixtureBlock(3, 2, [])], 11)).toThrow(
      /not consecutive/,
    );
    expect(() => encodeBatch(TWO_BLOCKS, 12)).toThrow(InvalidBatchError);
    expect(() => encodeBatch([{ ...fixtureBlock(1, 1, []), hash: '0x12' }], 1)).toThrow(InvalidBatchError);
    expect(() => encodeBatch([fixtureBlock(1, 1, [new Uint8Array()])], 1)).toThrow(InvalidBatchError);
  });
});
