/**
 * A slot's record serialized for recordSealed-6.lua, drafted before its block's header is known
 * (a builder does it while the engine mines). The retired transactions travel packed in a few
 * long arguments instead of several per transaction (for a block of a thousand, parsing and
 * handing thousands of arguments to Lua was most of the record's time):
 *   hashes    66 characters each (0x, lowercase), in retiring order
 *   senders   each distinct sender once, 42 characters each; senderOf: per transaction, the
 *             index of its sender there, 4 hex digits (Lua takes a sender's hashes in one ZREM)
 *   kinds     one character each: 'b' included in this block at its position (the first ones,
 *             in block order: the status is derived in Lua), 'i' included in another block,
 *             's' skipped
 *   statuses  the status JSONs of the others ('i', 's'), one a line
 */
import type { SlotRecord } from './chain-store';
import type { Keys, SealedBlock, TxStatus } from './names';

/** A slot's record serialized for its Lua call, but for its block's header (Scripts.draftRecord). */
export interface RecordDraft {
  /** The record drafted, its block as it was known then (the header may be a placeholder). */
  record: SlotRecord;
  retired: PackedRetired;
  /** The block's transactions as JSON members: `"txs":[...],"txHashes":[...]`. */
  body: string;
  /** status key, JSON patch pairs; key, value pairs. */
  patches: string[];
  sets: string[];
}

/**
 * A slot's record serialized for recordSealed but for its block's header: all of it that
 * follows from the block's transactions alone (a builder drafts it while the engine mines).
 */
export function draftRecord(k: Keys, r: SlotRecord): RecordDraft {
  const patches: string[] = [];
  for (const b of r.bundles) patches.push(k.bundleStatus(b.bundleHash), JSON.stringify(b.patch));
  for (const c of r.commitments) patches.push(k.commitmentStatus(c.commitment), JSON.stringify(c.patch));
  const sets: string[] = [];
  if (r.results) sets.push(k.slotResults(r.results.slot), JSON.stringify(r.results));
  return { record: r, retired: packRetired(r.block.number, r.txs), body: blockBody(r.block), patches, sets };
}

/** Throws unless `block` holds the transactions `d` was drafted for. */
export function assertDraftOf(d: RecordDraft, block: SealedBlock): void {
  const drafted = d.record.block;
  if (
    block.number !== drafted.number ||
    block.txHashes.length !== drafted.txHashes.length ||
    block.txHashes.some((h, i) => h !== drafted.txHashes[i])
  )
    throw new Error(`the record drafted for block ${drafted.number} is not block ${block.number}'s`);
}

/** The part of a sealed block's JSON that its transactions make (most of its bytes). */
export function blockBody(b: Pick<SealedBlock, 'txs' | 'txHashes'>): string {
  return `"txs":${JSON.stringify(b.txs)},"txHashes":${JSON.stringify(b.txHashes)}`;
}

/** A sealed block's JSON from its header and its body (blockBody of the same transactions). */
export function blockJson(b: SealedBlock, body: string): string {
  const { txs: _txs, txHashes: _hashes, ...header } = b;
  return `${JSON.stringify(header).slice(0, -1)},${body}}`;
}

export interface PackedRetired {
  hashes: string;
  senders: string;
  senderOf: string;
  kinds: string;
  statuses: string;
}

/** Four hex digits of sender index a transaction. */
const MAX_SENDERS = 0x10000;

export function packRetired(
  block: number,
  txs: readonly { hash: string; from: string; status: TxStatus }[],
): PackedRetired {
  const hashes: string[] = [];
  const senders: string[] = [];
  const senderIndex = new Map<string, number>();
  let senderOf = '';
  let kinds = '';
  /** How many of this block's own came first. */
  let here = 0;
  const statuses: string[] = [];
  txs.forEach((t, i) => {
    const from = t.from.toLowerCase();
    const hash = t.hash.toLowerCase();
    // Lua reads them at fixed widths: a wrong length would shift every one after it.
    if (hash.length !== 66 || !hash.startsWith('0x') || from.length !== 42 || !from.startsWith('0x'))
      throw new Error(
        `a retired transaction needs a 32-byte hash and a 20-byte sender: ${hash} from ${from}`,
      );
    let who = senderIndex.get(from);
    if (who === undefined) {
      who = senders.length;
      if (who === MAX_SENDERS) throw new Error(`more than ${MAX_SENDERS} senders in one record`);
      senderIndex.set(from, who);
      senders.push(from);
    }
    hashes.push(hash);
    senderOf += who.toString(16).padStart(4, '0');
    const s = t.status;
    if (s.status === 'included' && s.block === block) {
      // Derived in Lua from the position: it must be the position.
      if (s.index !== i || here !== i)
        throw new Error(`transaction ${t.hash} is included at ${s.index} but retired at position ${i}`);
      here++;
      kinds += 'b';
      return;
    }
    kinds += s.status === 'included' ? 'i' : 's';
    // JSON.stringify escapes newlines inside strings: a line is one status.
    statuses.push(JSON.stringify(s));
  });
  return {
    hashes: hashes.join(''),
    senders: senders.join(''),
    senderOf,
    kinds,
    statuses: statuses.join('\n'),
  };
}
