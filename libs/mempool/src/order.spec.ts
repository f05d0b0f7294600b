import fc from 'fast-check';
import { AbiCoder, keccak256 as ethersKeccak } from 'ethers';
import { toHex } from '@sealane/protocol';
import {
  buildSlotOrder,
  checkReceiptAgainstOrder,
  EMPTY_ORDER_ROOT,
  ORDER_LEAF_TAG,
  orderLeaf,
  orderRoot,
  orderTree,
  verifyOrderProof,
} from './index';

const c = (i: number): Uint8Array => new Uint8Array(32).fill(i + 1);
const list = (n: number): Uint8Array[] => Array.from({ length: n }, (_, i) => c(i));
const SLOT = 99n;

describe('order tree', () => {
  it('leaf is keccak256(abi.encode(tag, uint64 slot, uint32 position, bytes32 commitment))', () => {
    const expected = ethersKeccak(
      AbiCoder.defaultAbiCoder().encode(
        ['bytes32', 'uint64', 'uint32', 'bytes32'],
        [ORDER_LEAF_TAG, SLOT, 5, c(0)],
      ),
    );
    expect(toHex(orderLeaf(SLOT, 5, c(0)))).toBe(expected);
  });

  const sized = (count: number, top: string | Uint8Array): string =>
    ethersKeccak(AbiCoder.defaultAbiCoder().encode(['uint256', 'bytes32'], [count, top]));

  it('has a zero root when empty, ordered pairs above the leaves, and the count in the root', () => {
    expect(orderRoot(SLOT, [])).toEqual(EMPTY_ORDER_ROOT);
    expect(toHex(orderRoot(SLOT, [c(0)]))).toBe(sized(1, orderLeaf(SLOT, 0, c(0))));
    const pair = ethersKeccak(Uint8Array.of(...orderLeaf(SLOT, 0, c(0)), ...orderLeaf(SLOT, 1, c(1))));
    expect(toHex(orderRoot(SLOT, [c(0), c(1)]))).toBe(sized(2, pair));
    // Three leaves: the third moves up unchanged.
    const three = ethersKeccak(Uint8Array.of(...fromHexStr(pair), ...orderLeaf(SLOT, 2, c(2))));
    expect(toHex(orderRoot(SLOT, list(3)))).toBe(sized(3, three));
  });

  it('proves every position for every size up to 33', () => {
    for (let n = 1; n <= 33; n++) {
      const t = orderTree(SLOT, list(n));
      const order = buildSlotOrder(SLOT, list(n));
      for (let p = 0; p < n; p++) {
        const proof = t.proof(p);
        expect(verifyOrderProof(order, p, c(p), proof)).toBe(true);
        expect(verifyOrderProof(order, (p + 1) % n, c(p), proof)).toBe(n === 1);
        expect(verifyOrderProof({ ...order, slot: SLOT + 1n }, p, c(p), proof)).toBe(false);
        expect(verifyOrderProof({ ...order, count: n + 1 }, p, c(p), proof)).toBe(false);
        expect(verifyOrderProof(order, p, c(p), [...proof, new Uint8Array(32)])).toBe(false);
      }
      expect(() => t.proof(n)).toThrow(RangeError);
    }
  });

  it('swapping two commitments changes the root', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 40 }), fc.nat(), fc.nat(), (n, i, j) => {
        const a = i % n;
        const b = j % n;
        fc.pre(a !== b);
        const swapped = list(n);
        [swapped[a], swapped[b]] = [swapped[b], swapped[a]];
        expect(toHex(orderRoot(SLOT, swapped))).not.toBe(toHex(orderRoot(SLOT, list(n))));
      }),
    );
  });

  it('refuses tampered proofs without throwing', () => {
    const t = orderTree(SLOT, list(8));
    const order = buildSlotOrder(SLOT, list(8));
    const proof = t.proof(3);
    const bad = proof.map((h, i) => (i === 1 ? h.map((x, k) => (k === 0 ? x ^ 1 : x)) : h));
    expect(verifyOrderProof(order, 3, c(3), bad)).toBe(false);
    expect(verifyOrderProof(order, 3, c(3), proof.slice(1))).toBe(false);
    expect(verifyOrderProof(order, 3, c(3), [new Uint8Array(5), ...proof.slice(1)])).toBe(false);
    expect(verifyOrderProof(order, -1, c(3), proof)).toBe(false);
    expect(verifyOrderProof(order, 3, new Uint8Array(4), proof)).toBe(false);
  });
});

describe('checkReceiptAgainstOrder', () => {
  const commitments = list(5);
  const order = buildSlotOrder(SLOT, commitments);
  const t = orderTree(SLOT, commitments);
  const receipt = { slot: SLOT, position: 2, commitment: c(2), sender: '0x' + '11'.repeat(20) };

  it('accepts a receipt at its position', () => {
    expect(checkReceiptAgainstOrder(receipt, order, t.proof(2))).toBeNull();
  });

  it('names the problem otherwise', () => {
    expect(checkReceiptAgainstOrder({ ...receipt, slot: 1n }, order, t.proof(2))).toBe('wrong-slot');
    expect(checkReceiptAgainstOrder({ ...receipt, position: 5 }, order, t.proof(2))).toBe(
      'position-out-of-range',
    );
    expect(checkReceiptAgainstOrder({ ...receipt, position: 3 }, order, t.proof(3))).toBe('not-at-position');
    // The order put our commitment at another position.
    const moved = buildSlotOrder(SLOT, [c(0), c(2), c(1), c(3), c(4)]);
    expect(
      checkReceiptAgainstOrder(receipt, moved, orderTree(SLOT, [c(0), c(2), c(1), c(3), c(4)]).proof(2)),
    ).toBe('not-at-position');
  });
});

function fromHexStr(h: string): Uint8Array {
  return Uint8Array.from(Buffer.from(h.slice(2), 'hex'));
}
