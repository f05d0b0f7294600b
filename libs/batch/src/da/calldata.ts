/**
 * The calldata format: the batch bytes are the `data` argument of
 * `Inbox.appendBatch(uint256 sequenceNumber, uint64 firstBlock, uint64 lastBlock, bytes data,
 * bytes32 outputRoot)`.
 */
import { getBytes, Interface } from 'ethers';
import { DaDecodeError } from '../batch.error';
import type { DaBatch, DaFormat, DaReadable, DaTransaction } from './format';

/** The one Inbox function this format calls (contracts/Inbox.sol). */
const INBOX = new Interface([
  'function appendBatch(uint256 sequenceNumber, uint64 firstBlock, uint64 lastBlock, bytes data, bytes32 outputRoot)',
]);
const APPEND_BATCH = INBOX.getFunction('appendBatch')!;

function claims(tx: DaReadable): boolean {
  return tx.data.slice(0, 10).toLowerCase() === APPEND_BATCH.selector;
}

function encode(b: DaBatch, inbox: string): DaTransaction {
  return {
    to: inbox,
    data: INBOX.encodeFunctionData(APPEND_BATCH, [b.seq, b.firstBlock, b.lastBlock, b.data, b.outputRoot]),
  };
}

function decode(tx: DaReadable): DaBatch {
  if (!claims(tx)) throw new DaDecodeError('not-batch-call', 'the transaction does not call appendBatch');
  let args;
  try {
    args = INBOX.decodeFunctionData(APPEND_BATCH, tx.data);
  } catch (e: unknown) {
    throw new DaDecodeError('call-data', 'the appendBatch arguments do not decode', { cause: e });
  }
  return {
    seq: Number(args.sequenceNumber),
    firstBlock: Number(args.firstBlock),
    lastBlock: Number(args.lastBlock),
    data: getBytes(args.data as string),
    outputRoot: (args.outputRoot as string).toLowerCase(),
  };
}

/**
 * Intrinsic gas is the larger of the standard calldata price (4/16 per zero/non-zero byte) and
 * the EIP-7623 floor (10/40); execution is at most four fresh storage writes, three cold reads,
 * the event and the copy and hash of the data (linear in words, plus memory's quadratic term),
 * with room to spare.
 */
function gasLimit(tx: DaTransaction): bigint {
  const bytes = getBytes(tx.data);
  let zero = 0;
  for (const b of bytes) if (b === 0) zero++;
  const nonzero = bytes.length - zero;
  const words = Math.ceil(bytes.length / 32);
  const execution = 150_000 + 15 * words + Math.ceil((words * words) / 512);
  const standard = 21_000 + 4 * zero + 16 * nonzero + execution;
  const floor = 21_000 + 10 * zero + 40 * nonzero;
  return (BigInt(Math.max(standard, floor)) * 120n) / 100n;
}

export const CALLDATA: DaFormat = { encode, claims, decode, gasLimit };
