/**
 * The committed lane's skip reasons, in their own file so that errors, commitments and the audit
 * can all name them without importing one another.
 */

/**
 * Why a committed transaction is not in the block. The first six are decided from public data
 * once the key is revealed, so `auditSlot` re-checks them; the last two depend on chain state
 * at execution and are taken on trust.
 */
export type SkipReason =
  | 'decryption-failed'
  | 'bad-padding'
  | 'undecodable'
  | 'wrong-chain'
  | 'wrong-sender'
  | 'wrong-nonce'
  | 'fee-failed'
  | 'execution-rejected';

export const SKIP_REASONS: readonly SkipReason[] = [
  'decryption-failed',
  'bad-padding',
  'undecodable',
  'wrong-chain',
  'wrong-sender',
  'wrong-nonce',
  'fee-failed',
  'execution-rejected',
];

/** Skip reasons that anyone can re-check from the ciphertext, the key and the fee transaction. */
export const CHECKABLE_SKIP_REASONS: ReadonlySet<SkipReason> = new Set<SkipReason>([
  'decryption-failed',
  'bad-padding',
  'undecodable',
  'wrong-chain',
  'wrong-sender',
  'wrong-nonce',
]);
