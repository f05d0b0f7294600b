/**
 * A user of the encrypted mempool step by step (the SDK's one call, split), keeping what the SDK
 * keeps to itself: the signed receipt, which `sealane audit` needs.
 */
import type { TransactionRequest, Wallet } from 'ethers';
import {
  checkCommitReceipt,
  checkPublishedOrder,
  commitRequestToJson,
  orderTree,
  prepareCommit,
  revealRequestOf,
  revealRequestToJson,
  signedReceiptFromJson,
  signedSlotOrderFromJson,
  type CommitReceipt,
  type PreparedCommit,
  type SequencerTrust,
  type SignedReceiptJson,
} from '@sealane/mempool';
import { fromHex, keccak256, toHex } from '@sealane/protocol';
import type { SealaneClient } from '@sealane/sdk';
import { waitFor } from './rpc';

export interface Committed {
  slot: number;
  prepared: PreparedCommit;
  receipt: CommitReceipt;
  /** The receipt exactly as sealane_commit answered it. */
  receiptJson: SignedReceiptJson;
  trust: SequencerTrust;
  commitment: string;
  feeTxHash: string;
  txHash: string;
}

/** Signs the fee transaction (nonce n) and the hidden one (n + 1), encrypts and commits for `slot`. */
export async function commitPrivate(
  client: SealaneClient,
  w: Wallet,
  tx: TransactionRequest,
  slot: number,
): Promise<Committed> {
  const info = await client.mempoolInfo();
  const chainId = BigInt(info.chainId);
  const trust: SequencerTrust = {
    sequencer: info.sequencer,
    domain: { chainId: BigInt(info.domain.chainId), salt: fromHex(info.domain.salt) },
  };
  const nonce = Number(await client.rpc<string>('eth_getTransactionCount', [w.address, 'pending']));
  const fees = { type: 2, chainId, maxFeePerGas: 100n * 10n ** 9n, maxPriorityFeePerGas: 10n ** 9n };
  const feeTx = await w.signTransaction({
    ...fees,
    nonce,
    to: info.feeRecipient,
    value: BigInt(info.commitmentFeeWei),
    gasLimit: 21_000n,
  });
  const hidden = await w.signTransaction({ gasLimit: 100_000n, ...fees, ...tx, nonce: nonce + 1 });
  const prepared = prepareCommit({
    signedTx: fromHex(hidden),
    feeTx: fromHex(feeTx),
    sender: w.address,
    slot: BigInt(slot),
    params: {
      chainId,
      feeRecipient: info.feeRecipient,
      feeWei: BigInt(info.commitmentFeeWei),
      minBytes: info.paddingBucketMinBytes,
      maxBytes: info.paddingBucketMaxBytes,
    },
  });
  const receiptJson = await client.rpc<SignedReceiptJson>('sealane_commit', [
    commitRequestToJson(prepared.request),
  ]);
  const receipt = checkCommitReceipt(prepared, signedReceiptFromJson(receiptJson), trust);
  return {
    slot,
    prepared,
    receipt,
    receiptJson,
    trust,
    commitment: toHex(prepared.commitment),
    feeTxHash: toHex(keccak256(fromHex(feeTx))),
    txHash: toHex(prepared.txHash),
  };
}

/** Waits for the slot's signed order, checks the receipt against it, then reveals the key. */
export async function revealAfterOrder(client: SealaneClient, c: Committed): Promise<void> {
  const json = await waitFor(
    `the order of slot ${c.slot}`,
    () => client.rpc<Record<string, unknown> | null>('sealane_getSlotOrder', ['0x' + c.slot.toString(16)]),
    30_000,
    10,
  );
  const { signed, commitments } = signedSlotOrderFromJson(json);
  const proof = orderTree(BigInt(c.slot), commitments ?? []).proof(c.receipt.position);
  checkPublishedOrder(c.receipt, signed, proof, c.trust);
  await client.rpc('sealane_reveal', [revealRequestToJson(revealRequestOf(c.prepared))]);
}

/** Waits until the commitment has its outcome (included, skipped or expired). */
export function outcomeOf(
  client: SealaneClient,
  c: Committed,
): Promise<{ state: string; index?: number; reason?: string }> {
  return waitFor(`the outcome of ${c.commitment}`, async () => {
    const s = await client.rpc<{ state: string; index?: number; reason?: string } | null>(
      'sealane_getCommitmentStatus',
      [c.commitment],
    );
    return s && ['included', 'skipped', 'expired'].includes(s.state) ? s : undefined;
  });
}
