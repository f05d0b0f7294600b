/**
 * Forcing a transaction into the L2 chain through L1, for a user the sequencer does not serve:
 * `Inbox.forceInclude(rawTx)` with the Inbox's fee. The sequencer must include it within
 * `forceInclusionDelaySlots` of its arrival, or the batches past the deadline are invalid
 * (README, "Derivation"). Needs only an L1 signer and the Inbox's address.
 */
import { Contract, type ContractTransactionResponse, type Signer } from 'ethers';

const INBOX_ABI = [
  'function forceInclude(bytes rawTx) payable returns (uint256)',
  'function forceInclusionFee() view returns (uint256)',
  'function maxForcedTxBytes() view returns (uint256)',
  'event ForcedInclusion(uint256 indexed index, bytes32 txHash, address indexed sender, uint64 timestamp, bytes rawTx)',
];

export interface ForcedReceipt {
  /** The forced transaction's index in the Inbox's queue. */
  index: number;
  /** keccak256 of the L2 transaction: its hash on L2 once included. */
  txHash: string;
  l1TxHash: string;
  l1Block: number;
  /** Timestamp of that L1 block: the transaction arrives at the first L2 block at or after it. */
  l1Timestamp: number;
}

/** Queues `rawTx` (a signed L2 transaction, 0x hex) on L1 and waits for the L1 receipt. */
export async function forceInclude(
  l1Signer: Signer,
  inboxAddress: string,
  rawTx: string,
): Promise<ForcedReceipt> {
  const inbox = new Contract(inboxAddress, INBOX_ABI, l1Signer);
  const size = (rawTx.length - 2) / 2;
  const [fee, max] = (await Promise.all([inbox.forceInclusionFee(), inbox.maxForcedTxBytes()])) as [
    bigint,
    bigint,
  ];
  if (size === 0 || BigInt(size) > max) {
    throw new RangeError(`a forced transaction must be 1..${max} bytes, this one is ${size}`);
  }
  const sent = (await inbox.forceInclude(rawTx, { value: fee })) as ContractTransactionResponse;
  const receipt = await sent.wait();
  if (!receipt || receipt.status !== 1) throw new Error(`forceInclude ${sent.hash} failed on L1`);
  const log = receipt.logs.map((l) => inbox.interface.parseLog(l)).find((p) => p?.name === 'ForcedInclusion');
  if (!log) throw new Error(`forceInclude ${sent.hash} emitted no ForcedInclusion event`);
  const block = await receipt.getBlock();
  return {
    index: Number(log.args.index),
    txHash: String(log.args.txHash),
    l1TxHash: sent.hash,
    l1Block: receipt.blockNumber,
    l1Timestamp: block.timestamp,
  };
}
