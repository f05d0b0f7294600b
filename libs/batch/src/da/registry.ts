/**
 * The data-availability formats by name: the poster posts in the one it is set to, readers
 * decode each L1 transaction with the format that claims it. A new format is a file beside
 * calldata.ts implementing DaFormat and one line here.
 */
import { DaDecodeError } from '../batch.error';
import { CALLDATA } from './calldata';
import type { DaBatch, DaFormat, DaReadable } from './format';

export const DA_FORMATS = {
  calldata: CALLDATA,
} as const satisfies Record<string, DaFormat>;

export type DaFormatName = keyof typeof DA_FORMATS;

export const DEFAULT_DA_FORMAT: DaFormatName = 'calldata';

/** The batch an L1 transaction posted, in whichever format it is; a DaDecodeError if none. */
export function decodeBatchTransaction(tx: DaReadable): DaBatch {
  const format = Object.values<DaFormat>(DA_FORMATS).find((f) => f.claims(tx));
  if (!format) throw new DaDecodeError('not-batch-call', 'the transaction posts no batch in a known format');
  return format.decode(tx);
}
