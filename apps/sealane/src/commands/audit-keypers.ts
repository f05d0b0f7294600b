/**
 * The audit's keyper step: for a slot whose commitments are sealed to it (envelope v2) and were
 * not revealed by their users, fetch the slot's key and the keypers' eon key, check the one
 * against the other (a pairing check: anyone can), and derive each commitment's key from it
 * (decapsulation) so that auditSlot re-opens them as it does revealed ones.
 */
import { kemEncapsulation, KEYPER_ENVELOPE_VERSION } from '@sealane/mempool';
import { fromHex, toHex } from '@sealane/protocol';
import { decapsulate, slotKeyPoint, verifySlotKey } from '@sealane/threshold';
import type { Rpc, SlotCommitmentJson } from './audit-slot';

export interface KeyedSlot {
  /** What the audit did, for its report. */
  line?: string;
  /** A slot key that does not verify: proof the sequencer used another key. */
  violation?: string;
  slotKey?: string;
}

export async function keysFromSlotKey(
  rpc: Rpc,
  slot: number,
  entries: SlotCommitmentJson[],
  chainId: bigint,
): Promise<KeyedSlot> {
  const sealed = entries.filter((e) => !e.key && fromHex(e.ciphertext)[0] === KEYPER_ENVELOPE_VERSION);
  if (sealed.length === 0) return {};
  const q = '0x' + slot.toString(16);
  const got = await rpc<{ key: string } | null>('sealane_getSlotKey', [q]);
  if (!got)
    return {
      line: `${sealed.length} commitment(s) sealed to the slot, and the keypers' key was never combined`,
    };
  const set = await rpc<{ ready: boolean; publicKey?: string; eon: string }>('sealane_getKeyperSet', []);
  if (!set.ready || !set.publicKey)
    return { line: 'the keypers have no eon key: the slot key cannot be checked' };
  if (!verifySlotKey(fromHex(set.publicKey), chainId, BigInt(slot), fromHex(got.key)))
    return {
      violation: `the slot key ${got.key.slice(0, 18)}… is not the keyper set's key for slot ${slot} (eon ${set.eon})`,
      slotKey: got.key,
    };
  const point = slotKeyPoint(fromHex(got.key));
  for (const e of sealed) {
    const u = kemEncapsulation(fromHex(e.ciphertext));
    if (u) e.key = toHex(decapsulate(u, point, chainId, BigInt(slot)));
  }
  return {
    line: `slot key verified against the keyper set's public key; ${sealed.length} commitment(s) sealed to the slot re-decrypted with it`,
    slotKey: got.key,
  };
}
