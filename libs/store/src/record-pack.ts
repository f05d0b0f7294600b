/**
 * The retired transactions of a sealed slot packed as recordSealed-4.lua reads them: four
 * arguments (fixed-width hashes, fixed-width senders, one kind character each, the status JSONs
 * one a line) instead of five arguments each, which for a block of a thousand transactions
 * were most of the record's time (parsing and handing five thousand arguments to Lua).
 */
import type { TxStatus } from './names';

export function packRetired(
  txs: readonly { hash: string; from: string; status: TxStatus }[],
): [hashes: string, senders: string, kinds: string, statuses: string] {
  let hashes = '';
  let senders = '';
  let kinds = '';
  const statuses: string[] = [];
  for (const t of txs) {
    const hash = t.hash.toLowerCase();
    const from = t.from.toLowerCase();
    if (!/^0x[0-9a-f]{64}$/.test(hash) || !/^0x[0-9a-f]{40}$/.test(from))
      throw new Error(
        `a retired transaction needs a 32-byte hash and a 20-byte sender: ${hash} from ${from}`,
      );
    hashes += hash;
    senders += from;
    kinds += t.status.status === 'included' ? 'i' : 's';
    // JSON.stringify escapes newlines inside strings: a line is one status.
    statuses.push(JSON.stringify(t.status));
  }
  return [hashes, senders, kinds, statuses.join('\n')];
}
