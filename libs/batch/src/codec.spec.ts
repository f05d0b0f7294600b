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
import { noise } from './noise.fixture';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (h: string) => Uint8Array.from(Buffer.from(h.replace(/^0x/, ''), 'hex'));
const withVersion = (v: number, payload: Uint8Array) => Uint8Array.from([v, ...payload]);

const TWO_BLOCKS: BatchBlock[] = [
  { number: 1, timestamp: 1_700_000_000, txs: [bytes('02aa'), bytes('bbcc')] },
  { number: 2, timestamp: 1_700_000_002, txs: [] },
];

describe('batch codec', () => {
  it('encodes the RLP payload as [[number, timestamp, [rawTx, ...]], ...] (known answer)', () => {
    // d6: list(22) | cd: list(13) 01 846553f100 c6[8202aa 82bbcc] | c7: list(7) 02 846553f102 c0
    expect(hex(encodeBatchRlp(TWO_BLOCKS))).toBe('d6cd01846553f100c68202aa82bbccc702846553f102c0');
    // Block 0 and timestamp 0 are the empty string (0x80), as RLP integers are.
    expect(hex(encodeBatchRlp([{ number: 0, timestamp: 0, txs: [bytes('01')] }]))).toBe('c5c48080c101');
  });

  it('decodes a stored batch (known answer, level 11 from node 20 Brotli)', () => {
    const stored = bytes('000b0b80d6cd01846553f100c68202aa82bbccc702846553f102c003');
    expect(decodeBatch(stored)).toEqual(TWO_BLOCKS);
  });

  it('starts with version byte 0x00 and reports sizes', () => {
    const e = encodeBatch(TWO_BLOCKS, 11);
    expect(e.data[0]).toBe(0);
    expect(e.compressedBytes).toBe(e.data.length);
    expect(e.rawBytes).toBe(23);
  });

  it('compresses repetitive blocks well at level 11', () => {
    const tx = noise(7, 120);
    const blocks = Array.from({ length: 50 }, (_, i) => ({
      number: 10 + i,
      timestamp: 100 + 2 * i,
      txs: [tx, tx],
    }));
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
          const blocks = parts.map((p, i) => ({ number: first + i, ...p }));
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
    const compress = (rlpHex: string) => withVersion(0, brotliCompressSync(bytes(rlpHex)));

    it('empty data', () => expect(reasonOf(new Uint8Array())).toBe('empty'));
    it('an unknown version byte', () => {
      const good = encodeBatch(TWO_BLOCKS, 5).data;
      expect(reasonOf(withVersion(1, good.subarray(1)))).toBe('version');
    });
    it('a broken Brotli stream', () => {
      const good = encodeBatch(TWO_BLOCKS, 5).data;
      expect(reasonOf(good.subarray(0, good.length - 3))).toBe('compression');
      expect(reasonOf(Uint8Array.from([0, 1, 2, 3, 4, 5]))).toBe('compression');
    });
    it('a Brotli bomb beyond the size limit', () => {
      const big = withVersion(0, brotliCompressSync(new Uint8Array(1_000_000)));
      expect(reasonOf(big, 10_000)).toBe('too-large');
    });
    it('bytes that are not RLP', () => expect(reasonOf(compress('d6cd01'))).toBe('rlp'));
    it('RLP of the wrong shape', () => {
      expect(reasonOf(compress('8401020304'))).toBe('shape'); // a string, not a list
      expect(reasonOf(compress(encodeRlp([['0x01', '0x02']])))).toBe('shape'); // two fields
      expect(reasonOf(compress(encodeRlp([['0x0001', '0x02', []]])))).toBe('shape'); // leading zero
      expect(reasonOf(compress(encodeRlp([['0x01', '0x02', [['0x01']]]])))).toBe('shape'); // tx is a list
      expect(reasonOf(compress(encodeRlp([['0x01', '0x02', ['0x']]])))).toBe('shape'); // empty tx
    });
    it('no blocks', () => expect(reasonOf(compress('c0'))).toBe('empty'));
    it('blocks that are not consecutive', () => {
      const rlp = encodeRlp([
        ['0x01', '0x02', []],
        ['0x03', '0x04', []],
      ]);
      expect(reasonOf(compress(rlp))).toBe('sequence');
    });
  });

  it('refuses to encode what cannot be a batch', () => {
    expect(() => encodeBatch([], 11)).toThrow(InvalidBatchError);
    expect(() =>
      encodeBatch(
        [
          { number: 1, timestamp: 1, txs: [] },
          { number: 3, timestamp: 2, txs: [] },
        ],
        11,
      ),
    ).toThrow(/not consecutive/);
    expect(() => encodeBatch(TWO_BLOCKS, 12)).toThrow(InvalidBatchError);
    expect(() => encodeBatch([{ number: 1, timestamp: 1, txs: [new Uint8Array()] }], 1)).toThrow(
      InvalidBatchError,
    );
  });
});
