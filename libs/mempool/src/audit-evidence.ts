/**
 * The published evidence of one outcome, checked against its commitment: the sender and
 * ciphertext must hash to it, the fee transaction must decode and come from the sender, and with
 * the key the commitment is re-opened to see what it really holds. Mismatches are reported as
 * 'bad-evidence'; what could not be checked is left out of the result.
 */
import { decodeTransaction, keccak256, type DecodedTx } from '@sealane/protocol';
import type { AuditEvidence, CommitmentOutcome, ViolationKind } from './audit-report';
import { commitmentOf, openCommitment, type OpenResult } from './commitment';
import { equalBytes, normalizeAddress } from './encoding';

/** What the evidence of one outcome gives once checked. */
export interface Evidence {
  /** keccak256 of the published fee transaction. */
  feeHash?: Uint8Array;
  /** Re-opening with the published key, when sender, ciphertext and key are all there. */
  opened?: OpenResult;
}

/** Checks the published evidence of one outcome against its commitment, and re-opens it. */
export function evidenceOf(
  o: CommitmentOutcome,
  slot: bigint,
  chainId: bigint,
  report: (kind: ViolationKind, detail: string, e?: AuditEvidence) => void,
): Evidence {
  const out: Evidence = {};
  let sender: string | undefined;
  if (o.sender !== undefined && o.ciphertext !== undefined) {
    try {
      sender = normalizeAddress(o.sender);
      if (!equalBytes(commitmentOf({ sender, slot, ciphertext: o.ciphertext }), o.commitment)) {
        report('bad-evidence', 'the published sender and ciphertext do not hash to the commitment');
        sender = undefined;
      }
    } catch {
      report('bad-evidence', 'the published sender is not an address');
      sender = undefined;
    }
  }
  let fee: DecodedTx | undefined;
  if (o.feeTx !== undefined) {
    out.feeHash = keccak256(o.feeTx);
    try {
      fee = decodeTransaction(o.feeTx, { chainId });
      if (sender !== undefined && fee.from !== sender) {
        report('bad-evidence', `the published fee transaction is from ${fee.from}, not the sender`);
        fee = undefined;
      }
    } catch {
      report('bad-evidence', 'the published fee transaction does not decode');
    }
  }
  const needsFee = o.status === 'skipped' && o.reason === 'wrong-nonce';
  if (sender !== undefined && o.ciphertext !== undefined && o.key !== undefined && (!needsFee || fee)) {
    out.opened = openCommitment({ sender, slot, ciphertext: o.ciphertext }, o.key, {
      chainId,
      feeNonce: fee?.nonce,
    });
  }
  return out;
}
