import { Wallet } from 'ethers';
import { DEV_KEYS } from '@sealane/config';
import { orderRoot, signSlotOrder, type MempoolDomain } from '@sealane/mempool';
import { fromHex, toHex } from '@sealane/protocol';
import type { PublishedOrder } from '@sealane/store';
import { refuseRelease } from './release';

const domain: MempoolDomain = { chainId: 24225n, salt: new Uint8Array(32).fill(3) };
const sequencer = new Wallet(DEV_KEYS[0]);
const commitments = [toHex(new Uint8Array(32).fill(1)), toHex(new Uint8Array(32).fill(2))];

function order(slot: number, signer = sequencer, list = commitments): PublishedOrder {
  const root = orderRoot(
    BigInt(slot),
    list.map((c) => fromHex(c)),
  );
  return {
    slot,
    count: list.length,
    root: toHex(root),
    commitments: list,
    revealDeadlineMs: 0,
    sequencer: signer.address.toLowerCase(),
    signature: toHex(signSlotOrder(signer, { slot: BigInt(slot), count: list.length, root }, domain)),
  };
}

describe('refuseRelease: a keyper releases a slot key only against the signed order', () => {
  const who = sequencer.address.toLowerCase();
  it('lets the sequencer-signed order of the slot through', () => {
    expect(refuseRelease(7, order(7), who, domain)).toBeNull();
  });
  it('refuses without an order, for another slot, another signer or domain, or a root that is not its list', () => {
    expect(refuseRelease(7, null, who, domain)).toMatch('no order is published');
    expect(refuseRelease(8, order(7), who, domain)).toMatch('names slot 7');
    expect(refuseRelease(7, order(7, new Wallet(DEV_KEYS[2])), who, domain)).toMatch(
      'not signed by the sequencer',
    );
    expect(refuseRelease(7, order(7), who, { ...domain, chainId: 1n })).toMatch(
      'not signed by the sequencer',
    );
    const swapped = { ...order(7), commitments: [...commitments].reverse() };
    expect(refuseRelease(7, swapped, who, domain)).toMatch('not the root of its commitments');
    expect(refuseRelease(7, { ...order(7), count: 3 }, who, domain)).toMatch('another number');
    expect(refuseRelease(7, { ...order(7), signature: '0x1234' }, who, domain)).toMatch(
      /not signed|malformed/,
    );
  });
});
