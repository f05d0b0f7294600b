import fc from 'fast-check';
import { CALLDATA, DaDecodeError, decodeBatchTransaction, type DaBatch } from '../index';

const INBOX = '0x00000000000000000000000000000000000000aa';
const word = (n: number) => n.toString(16).padStart(64, '0');
const ROOT = '0x' + 'ee'.repeat(32);

describe('calldata data format', () => {
  it('encodes Inbox.appendBatch(sequenceNumber, firstBlock, lastBlock, data, outputRoot) (known answer)', () => {
    const tx = CALLDATA.encode(
      { seq: 3, firstBlock: 10, lastBlock: 12, data: Uint8Array.of(0, 0xab, 0xcd), outputRoot: ROOT },
      INBOX,
    );
    expect(tx).toEqual({
      to: INBOX,
      data:
        '0x1942846b' + // keccak256("appendBatch(uint256,uint64,uint64,bytes,bytes32)")[0..4]
        word(3) +
        word(10) +
        word(12) +
        word(0xa0) + // offset of the bytes argument
        ROOT.slice(2) +
        word(3) +
        '00abcd'.padEnd(64, '0'),
    });
    expect(tx.blobs).toBeUndefined();
  });

  it('decodes what it encodes (round trip), alone and through the registry', () => {
    const batch = fc.record({
      seq: fc.nat(),
      firstBlock: fc.nat({ max: 2 ** 40 }),
      lastBlock: fc.nat({ max: 2 ** 40 }),
      data: fc.uint8Array({ maxLength: 300 }),
      outputRoot: fc
        .uint8Array({ minLength: 32, maxLength: 32 })
        .map((b) => '0x' + Buffer.from(b).toString('hex')),
    });
    fc.assert(
      fc.property(batch, (b: DaBatch) => {
        const tx = CALLDATA.encode(b, INBOX);
        expect(CALLDATA.claims(tx)).toBe(true);
        expect(CALLDATA.decode(tx)).toEqual(b);
        expect(decodeBatchTransaction(tx)).toEqual(b);
      }),
    );
  });

  it('refuses a transaction that is not an appendBatch call with a DaDecodeError', () => {
    const reasonOf = (f: () => unknown) => {
      try {
        f();
      } catch (e: unknown) {
        expect(e).toBeInstanceOf(DaDecodeError);
        expect((e as DaDecodeError).name).toBe('DaDecodeError');
        return (e as DaDecodeError).reason;
      }
      throw new Error('expected a DaDecodeError');
    };
    // A plain transfer, another function (ERC-20 transfer), too short for a selector.
    for (const data of ['0x', '0xa9059cbb' + word(1) + word(2), '0x1942']) {
      expect(CALLDATA.claims({ data })).toBe(false);
      expect(reasonOf(() => CALLDATA.decode({ data }))).toBe('not-batch-call');
      expect(reasonOf(() => decodeBatchTransaction({ data }))).toBe('not-batch-call');
    }
    // The right selector with arguments cut short.
    expect(reasonOf(() => CALLDATA.decode({ data: '0x1942846b' + word(3) }))).toBe('call-data');
  });

  it('bounds the gas of appendBatch above the EIP-7623 floor and the calldata price plus execution', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (data) => {
        const tx = CALLDATA.encode({ seq: 0, firstBlock: 1, lastBlock: 1, data, outputRoot: ROOT }, INBOX);
        const bytes = Buffer.from(tx.data.slice(2), 'hex');
        const zero = bytes.filter((b) => b === 0).length;
        const nonzero = bytes.length - zero;
        const gas = CALLDATA.gasLimit(tx);
        expect(gas).toBeGreaterThanOrEqual(BigInt(21_000 + 10 * zero + 40 * nonzero));
        expect(gas).toBeGreaterThanOrEqual(BigInt(21_000 + 4 * zero + 16 * nonzero + 150_000));
      }),
    );
  });
});
