/**
 * The published order of a slot's commitments: a Merkle tree over (slot, position, commitment)
 * in position order, whose root the sequencer signs with the count (see signSlotOrder). A proof
 * shows one commitment at one position without the whole list; anyone holding a receipt checks it
 * with checkReceiptAgainstOrder.
 *
 *   leaf   = keccak256(abi.encode(bytes32 ORDER_LEAF_TAG, uint64 slot, uint32 position, bytes32 commitment))
 *   parent = keccak256(left ‖ right)          (ordered, not sorted: position matters)
 *   a node without a right sibling moves up unchanged
 *   root   = keccak256(abi.encode(uint256 count, bytes32 top)); the root of no commitments is 32 zero bytes
 *
 * A leaf hashes 128 bytes and a parent 64, so no parent can pass for a leaf. The root commits to
 * the count, so a (count, root) pair has one meaning, and the shape of the tree follows from the
 * count alone: a proof is just the siblings from the leaf up.
 */
import { keccak256 } from '@sealane/protocol';
import { checkBytes32, checkSlot, checkUint32, equalBytes, writeWord } from './encoding';
import type { CommitReceipt, SlotOrder } from './signatures';

export const ORDER_LEAF_TAG: Uint8Array = keccak256(
  new TextEncoder().encode('sealane.mempool.order-leaf.v1'),
);
/** Root of a slot without commitments. */
export const EMPTY_ORDER_ROOT: Uint8Array = new Uint8Array(32);

export function orderLeaf(slot: bigint, position: number, commitment: Uint8Array): Uint8Array {
  const buf = new Uint8Array(128);
  buf.set(ORDER_LEAF_TAG, 0);
  writeWord(buf, 32, checkSlot(slot));
  writeWord(buf, 64, BigInt(checkUint32(position, 'position')));
  buf.set(checkBytes32(commitment, 'commitment'), 96);
  return keccak256(buf);
}

function hashPair(left: Uint8Array, right: Uint8Array): Uint8Array {
  const buf = new Uint8Array(64);
  buf.set(left, 0);
  buf.set(right, 32);
  return keccak256(buf);
}

function sizedRoot(count: number, top: Uint8Array): Uint8Array {
  const buf = new Uint8Array(64);
  writeWord(buf, 0, BigInt(count));
  buf.set(top, 32);
  return keccak256(buf);
}

export interface OrderTree {
  readonly slot: bigint;
  readonly count: number;
  readonly root: Uint8Array;
  /** Sibling hashes from the leaf at `position` up. Throws RangeError outside [0, count). */
  proof(position: number): Uint8Array[];
}

/** Builds the tree once, to answer many proofs (one per receipt holder). */
export function orderTree(slot: bigint, commitments: readonly Uint8Array[]): OrderTree {
  const layers: Uint8Array[][] = [commitments.map((c, i) => orderLeaf(slot, i, c))];
  while (layers[layers.length - 1].length > 1) {
    const below = layers[layers.length - 1];
    const up: Uint8Array[] = [];
    for (let i = 0; i < below.length; i += 2)
      up.push(i + 1 < below.length ? hashPair(below[i], below[i + 1]) : below[i]);
    layers.push(up);
  }
  const count = commitments.length;
  const root = count === 0 ? EMPTY_ORDER_ROOT : sizedRoot(count, layers[layers.length - 1][0]);
  return {
    slot,
    count,
    root: root.slice(),
    proof(position: number): Uint8Array[] {
      if (!Number.isInteger(position) || position < 0 || position >= count) {
        throw new RangeError(`position ${position} is outside [0, ${count})`);
      }
      const out: Uint8Array[] = [];
      let idx = position;
      for (let level = 0; level < layers.length - 1; level++) {
        const sibling = idx ^ 1;
        if (sibling < layers[level].length) out.push(layers[level][sibling].slice());
        idx >>= 1;
      }
      return out;
    },
  };
}

export function orderRoot(slot: bigint, commitments: readonly Uint8Array[]): Uint8Array {
  return orderTree(slot, commitments).root;
}

/** The statement the sequencer signs at the close: { slot, count, root }. */
export function buildSlotOrder(slot: bigint, commitments: readonly Uint8Array[]): SlotOrder {
  const t = orderTree(slot, commitments);
  return { slot, count: t.count, root: t.root };
}

/** True iff `proof` puts `commitment` at `position` under the order's root. Never throws. */
export function verifyOrderProof(
  order: SlotOrder,
  position: number,
  commitment: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  try {
    if (!Number.isInteger(order.count) || position < 0 || position >= order.count) return false;
    let h = orderLeaf(order.slot, position, commitment);
    let idx = position;
    let width = order.count;
    let used = 0;
    while (width > 1) {
      const sibling = idx ^ 1;
      if (sibling < width) {
        const s = proof[used++];
        if (!(s instanceof Uint8Array) || s.length !== 32) return false;
        h = idx & 1 ? hashPair(s, h) : hashPair(h, s);
      }
      idx >>= 1;
      width = (width + 1) >> 1;
    }
    return used === proof.length && equalBytes(sizedRoot(order.count, h), order.root);
  } catch {
    return false;
  }
}

export type ReceiptOrderProblem = 'wrong-slot' | 'position-out-of-range' | 'not-at-position';

/**
 * Whether a receipt's commitment stands at its receipted position in the order. Both are signed
 * by the sequencer (check the signatures first), so a problem here is a proof of misbehaviour.
 * Returns null when they agree.
 */
export function checkReceiptAgainstOrder(
  receipt: CommitReceipt,
  order: SlotOrder,
  proof: readonly Uint8Array[],
): ReceiptOrderProblem | null {
  if (receipt.slot !== order.slot) return 'wrong-slot';
  if (receipt.position >= order.count) return 'position-out-of-range';
  return verifyOrderProof(order, receipt.position, receipt.commitment, proof) ? null : 'not-at-position';
}
