/**
 * The committed lane's skip reasons, in their own file so that errors, commitments and the audit
 * can all name them without importing one another.
 */

/** Decided from public data once the key is revealed, so `auditSlot` re-checks them. */
const CHECKABLE = [
  'decryption-failed',
  'bad-padding',
  'undecodable',
  'wrong-chain',
  'wrong-sender',
  'wrong-nonce',
] as const;
/** Depend on chain state at execution, so they are taken on trust. */
const ON_TRUST = ['fee-failed', 'execution-rejected'] as const;

/** Why a committed transaction is not in the block. */
export type SkipReason = (typeof CHECKABLE)[number] | (typeof ON_TRUST)[number];

export const SKIP_REASONS: readonly SkipReason[] = [...CHECKABLE, ...ON_TRUST];

/** Skip reasons that anyone can re-check from the ciphertext, the key and the fee transaction. */
export const CHECKABLE_SKIP_REASONS: ReadonlySet<SkipReason> = new Set<SkipReason>(CHECKABLE);
