/**
 * The audit trail of a slot's auction: one leaf per bid received, a Merkle root over all of them
 * (published with the results), and a proof per bid that it was counted.
 *
 * The tree is OpenZeppelin MerkleProof-compatible: leaves are sorted bytewise, each parent is
 * keccak256 of its two children in ascending order, and a node without a sibling moves up
 * unchanged, so `MerkleProof.verify(proof, root, leaf)` on L1 accepts the same proofs. A leaf
 * hashes a 160-byte preimage and a parent a 64-byte one, so no parent can pass for a bid.
 */
import { fromHex, keccak256 } from '@sealane/protocol';
import type { Bid } from './bid';
import { InvalidBidError, UnknownLeafError } from './auction.error';

/** Root of a slot that received no bids: 32 zero bytes. No proof verifies against it. */
export const EMPTY_BIDS_ROOT: Uint8Array = new Uint8Array(32);

const MAX_UINT64 = (1n << 64n) - 1n;
const MAX_UINT256 = (1n << 256n) - 1n;
const HASH = /^0x[0-9a-fA-F]{64}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

export type BidLeafFields = Pick<Bid, 'bundleHash' | 'searcher' | 'value' | 'gasUsed'>;

/**
 * keccak256(abi.encode(uint64 slot, bytes32 bundleHash, address searcher, uint256 value,
 * uint256 gasUsed)): five 32-byte words, so every field has one fixed place.
 */
export function bidLeaf(slot: bigint | number, bid: BidLeafFields): Uint8Array {
  const s = BigInt(slot);
  if (s < 0n || s > MAX_UINT64) throw new InvalidBidError('slot must be a uint64');
  if (!HASH.test(bid.bundleHash)) throw new InvalidBidError('bundleHash must be 32 bytes of hex');
  if (!ADDRESS.test(bid.searcher)) throw new InvalidBidError('searcher must be a 20-byte address');
  if (bid.value < 0n || bid.value > MAX_UINT256) throw new InvalidBidError('value must be a uint256');
  if (bid.gasUsed < 0n || bid.gasUsed > MAX_UINT256) throw new InvalidBidError('gasUsed must be a uint256');
  const buf = new Uint8Array(160);
  writeUint(buf, 0, s);
  buf.set(fromHex(bid.bundleHash), 32);
  buf.set(fromHex(bid.searcher), 64 + 12);
  writeUint(buf, 96, bid.value);
  writeUint(buf, 128, bid.gasUsed);
  return keccak256(buf);
}

export interface BidsMerkleTree {
  readonly root: Uint8Array;
  /** Sibling hashes from the leaf up. Throws UnknownLeafError if the leaf is not in the tree. */
  proof(leaf: Uint8Array): Uint8Array[];
}

/** Builds the tree once, for answering many proofs (one per searcher) from the same slot. */
export function bidsMerkleTree(leaves: readonly Uint8Array[]): BidsMerkleTree {
  for (const l of leaves) checkHash(l, 'leaf');
  const layers: Uint8Array[][] = [[...leaves].sort(compareBytes)];
  while (layers[layers.length - 1].length > 1) {
    const below = layers[layers.length - 1];
    const up: Uint8Array[] = [];
    for (let i = 0; i < below.length; i += 2) {
      up.push(i + 1 < below.length ? hashPair(below[i], below[i + 1]) : below[i]);
    }
    layers.push(up);
  }
  const sorted = layers[0];
  const root = sorted.length === 0 ? EMPTY_BIDS_ROOT : layers[layers.length - 1][0];
  return {
    root: root.slice(),
    proof(leaf: Uint8Array): Uint8Array[] {
      checkHash(leaf, 'leaf');
      let idx = lowerBound(sorted, leaf);
      if (idx >= sorted.length || compareBytes(sorted[idx], leaf) !== 0) {
        throw new UnknownLeafError('leaf is not in the tree');
      }
      const proof: Uint8Array[] = [];
      for (let level = 0; level < layers.length - 1; level++) {
        const sibling = idx ^ 1;
        if (sibling < layers[level].length) proof.push(layers[level][sibling].slice());
        idx >>= 1;
      }
      return proof;
    },
  };
}

/** Root over a slot's bid leaves, in any order; EMPTY_BIDS_ROOT when there are none. */
export function bidsMerkleRoot(leaves: readonly Uint8Array[]): Uint8Array {
  return bidsMerkleTree(leaves).root;
}

/** Proof that `leaf` is among `leaves`. Builds the whole tree: use bidsMerkleTree for many proofs. */
export function bidProof(leaves: readonly Uint8Array[], leaf: Uint8Array): Uint8Array[] {
  return bidsMerkleTree(leaves).proof(leaf);
}

/** True iff `proof` leads from `leaf` to `root`. Never throws; false for malformed input. */
export function verifyBidProof(root: Uint8Array, leaf: Uint8Array, proof: readonly Uint8Array[]): boolean {
  if (!isHash(root) || !isHash(leaf) || !proof.every(isHash)) return false;
  if (compareBytes(root, EMPTY_BIDS_ROOT) === 0) return false;
  let h = leaf;
  for (const sibling of proof) h = hashPair(h, sibling);
  return compareBytes(h, root) === 0;
}

/** keccak256 of the two nodes in ascending order (OpenZeppelin's commutative hash). */
function hashPair(a: Uint8Array, b: Uint8Array): Uint8Array {
  const buf = new Uint8Array(64);
  const [lo, hi] = compareBytes(a, b) <= 0 ? [a, b] : [b, a];
  buf.set(lo, 0);
  buf.set(hi, 32);
  return keccak256(buf);
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

function lowerBound(sorted: readonly Uint8Array[], x: Uint8Array): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareBytes(sorted[mid], x) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function isHash(x: unknown): x is Uint8Array {
  return x instanceof Uint8Array && x.length === 32;
}

function checkHash(x: Uint8Array, what: string): void {
  if (!isHash(x)) throw new TypeError(`${what} must be 32 bytes`);
}

function writeUint(buf: Uint8Array, at: number, v: bigint): void {
  for (let i = 31; i >= 0 && v > 0n; i--) {
    buf[at + i] = Number(v & 0xffn);
    v >>= 8n;
  }
}
