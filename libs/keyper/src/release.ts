/**
 * When a keyper may release its share of a slot's key: only once it holds the sequencer's signed
 * order for that slot, and the order's root is the root of the commitments it lists. The order is
 * what fixes every position; a share released before it would let whoever combines the key read
 * transactions while their order could still change. This is the only gate, and it is checked on
 * the signature, not on whoever wrote the order into the store.
 */
import { orderRoot, verifySlotOrder, type MempoolDomain } from '@sealane/mempool';
import { fromHex, toHex } from '@sealane/protocol';
import type { PublishedOrder } from '@sealane/store';

/** Null when the order lets the keyper release; otherwise why not. */
export function refuseRelease(
  slot: number,
  order: PublishedOrder | null,
  sequencer: string,
  domain: MempoolDomain,
): string | null {
  if (!order) return `no order is published for slot ${slot}`;
  if (order.slot !== slot) return `the order names slot ${order.slot}, not ${slot}`;
  if (order.commitments.length !== order.count)
    return 'the order lists another number of commitments than it counts';
  let signed: boolean;
  try {
    const root = fromHex(order.root);
    const mine = toHex(
      orderRoot(
        BigInt(slot),
        order.commitments.map((c) => fromHex(c)),
      ),
    );
    if (mine !== order.root.toLowerCase()) return "the order's root is not the root of its commitments";
    signed = verifySlotOrder(
      { slot: BigInt(slot), count: order.count, root },
      fromHex(order.signature),
      sequencer,
      domain,
    );
  } catch {
    return 'the order is malformed';
  }
  return signed ? null : `the order is not signed by the sequencer ${sequencer}`;
}
