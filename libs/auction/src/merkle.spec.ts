import fc from 'fast-check';
import { AbiCoder, concat, id, keccak256 as ethersKeccak } from 'ethers';
import { fromHex, toHex } from '@sealane/protocol';
import {
  bidLeaf,
  bidProof,
  bidsMerkleRoot,
  bidsMerkleTree,
  EMPTY_BIDS_ROOT,
  InvalidBidError,
  UnknownLeafError,
  verifyBidProof,
} from './index';

const FIELDS = {
  bundleHash: `0x${'11'.repeat(32)}`,
  searcher: `0x${'22'.repeat(20)}`,
  value: 10n ** 18n,
  gasUsed: 21_000n,
};
// keccak256 of "c", "a", "b": 0x0b42…, 0x3ac2…, 0xb555…, so A < B < C bytewise.
const [A, B, C] = ['c', 'a', 'b'].map((s) => fromHex(id(s)));
const pair = (x: string, y: string): string => ethersKeccak(concat([x, y].sort()));

describe('bidLeaf', () => {
  it('is keccak256(abi.encode(uint64 slot, bytes32 bundleHash, address searcher, uint256 value, uint256 gasUsed))', () => {
    const enc = AbiCoder.defaultAbiCoder().encode(
      ['uint64', 'bytes32', 'address', 'uint256', 'uint256'],
      [7n, FIELDS.bundleHash, FIELDS.searcher, FIELDS.value, FIELDS.gasUsed],
    );
    expect(toHex(bidLeaf(7, FIELDS))).toBe(ethersKeccak(enc));
    expect(toHex(bidLeaf(7n, FIELDS))).toBe(
      '0x3b2c0e7e82a1a0a173713a98535547aa3680d7ea6b6d8dbae03afd16db0fef7f',
    );
  });

  it('changes with every field', () => {
    const base = toHex(bidLeaf(7, FIELDS));
    expect(toHex(bidLeaf(8, FIELDS))).not.toBe(base);
    expect(toHex(bidLeaf(7, { ...FIELDS, bundleHash: `0x${'12'.repeat(32)}` }))).not.toBe(base);
    expect(toHex(bidLeaf(7, { ...FIELDS, searcher: `0x${'23'.repeat(20)}` }))).not.toBe(base);
    expect(toHex(bidLeaf(7, { ...FIELDS, value: 1n }))).not.toBe(base);
    expect(toHex(bidLeaf(7, { ...FIELDS, gasUsed: 1n }))).not.toBe(base);
  });

  it('rejects fields that do not fit their ABI types', () => {
    expect(() => bidLeaf(-1, FIELDS)).toThrow(InvalidBidError);
    expect(() => bidLeaf(2n ** 64n, FIELDS)).toThrow(InvalidBidError);
    expect(() => bidLeaf(1, { ...FIELDS, searcher: '0x22' })).toThrow(InvalidBidError);
    expect(() => bidLeaf(1, { ...FIELDS, value: 2n ** 256n })).toThrow(InvalidBidError);
  });
});

describe('bidsMerkleRoot', () => {
  it('is 32 zero bytes for no bids, and nothing verifies against it', () => {
    expect(bidsMerkleRoot([])).toEqual(EMPTY_BIDS_ROOT);
    expect(toHex(EMPTY_BIDS_ROOT)).toBe(`0x${'00'.repeat(32)}`);
    expect(verifyBidProof(EMPTY_BIDS_ROOT, EMPTY_BIDS_ROOT, [])).toBe(false);
  });

  it('is the leaf itself for one bid, with an empty proof', () => {
    expect(bidsMerkleRoot([A])).toEqual(A);
    expect(bidProof([A], A)).toEqual([]);
    expect(verifyBidProof(A, A, [])).toBe(true);
  });

  it('matches hand-computed 2- and 3-leaf trees (sorted leaves, sorted pairs, odd node moves up)', () => {
    const [a, b, c] = [A, B, C].map(toHex);
    expect(toHex(bidsMerkleRoot([B, A]))).toBe(pair(a, b));
    expect(toHex(bidsMerkleRoot([B, A]))).toBe(
      '0x7dea550f679f3caab547cbbc5ee1a4c978c8c039b572ba00af1baa6481b88360',
    );
    expect(toHex(bidsMerkleRoot([C, A, B]))).toBe(pair(pair(a, b), c));
    expect(toHex(bidsMerkleRoot([C, A, B]))).toBe(
      '0xc3b537cc8a2c6dcb3657718e1f3505ff751ff8c2eba2a70460df2cbee2b1413a',
    );
    expect(bidProof([C, A, B], A).map(toHex)).toEqual([b, c]);
    expect(bidProof([C, A, B], C).map(toHex)).toEqual([pair(a, b)]);
  });

  it('does not depend on the order the bids arrived in', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), { maxLength: 20 }), (leaves) => {
        expect(bidsMerkleRoot([...leaves].reverse())).toEqual(bidsMerkleRoot(leaves));
      }),
    );
  });
});

describe('bid proofs', () => {
  const arbLeaves = fc.array(fc.uint8Array({ minLength: 32, maxLength: 32 }), {
    minLength: 1,
    maxLength: 40,
  });

  it('every leaf has a proof that verifies, and a tampered leaf, root or proof does not', () => {
    fc.assert(
      fc.property(arbLeaves, fc.nat(), (leaves, pick) => {
        const tree = bidsMerkleTree(leaves);
        const leaf = leaves[pick % leaves.length];
        const proof = tree.proof(leaf);
        expect(verifyBidProof(tree.root, leaf, proof)).toBe(true);
        expect(proof).toEqual(bidProof(leaves, leaf));
        const flip = (x: Uint8Array): Uint8Array => {
          const y = x.slice();
          y[31] ^= 1;
          return y;
        };
        if (!leaves.some((l) => toHex(l) === toHex(flip(leaf)))) {
          expect(verifyBidProof(tree.root, flip(leaf), proof)).toBe(false);
        }
        expect(verifyBidProof(flip(tree.root), leaf, proof)).toBe(false);
        if (proof.length > 0) {
          expect(verifyBidProof(tree.root, leaf, [flip(proof[0]), ...proof.slice(1)])).toBe(false);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('proves real bid leaves of a slot', () => {
    const leaves = Array.from({ length: 13 }, (_, i) =>
      bidLeaf(42, { ...FIELDS, bundleHash: `0x${(i + 1).toString(16).padStart(64, '0')}`, value: BigInt(i) }),
    );
    const tree = bidsMerkleTree(leaves);
    for (const leaf of leaves) expect(verifyBidProof(tree.root, leaf, tree.proof(leaf))).toBe(true);
  });

  it('refuses to prove a leaf that is not there, and malformed input verifies false', () => {
    expect(() => bidProof([A, B], C)).toThrow(UnknownLeafError);
    expect(() => bidsMerkleRoot([new Uint8Array(31)])).toThrow(TypeError);
    expect(verifyBidProof(A, new Uint8Array(31), [])).toBe(false);
    expect(verifyBidProof(bidsMerkleRoot([A, B]), A, [new Uint8Array(33)])).toBe(false);
  });
});
