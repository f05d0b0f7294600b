import { auditOutcomeOf } from './mempool-api';

describe('auditOutcomeOf', () => {
  const at = { slot: 3, position: 0 };

  it('reads a skip by its recorded code, never by its text', () => {
    expect(
      auditOutcomeOf({
        ...at,
        state: 'skipped',
        code: 'wrong-nonce',
        reason: 'fee transaction not executable: x',
      }),
    ).toEqual({ status: 'skipped', code: 'wrong-nonce' });
  });

  it('reads a skip recorded without a code (an older version) as depending on chain state', () => {
    expect(auditOutcomeOf({ ...at, state: 'skipped', reason: 'decryption-failed: tag mismatch' })).toEqual({
      status: 'skipped',
      code: 'execution-rejected',
    });
  });

  it('keeps inclusions and expiries, and has no outcome before a final state', () => {
    expect(auditOutcomeOf({ ...at, state: 'included', index: 2, txHash: '0xab' })).toEqual({
      status: 'included',
      index: 2,
      txHash: '0xab',
    });
    expect(auditOutcomeOf({ ...at, state: 'expired', reason: 'not revealed' })).toEqual({
      status: 'not-revealed',
    });
    expect(auditOutcomeOf({ ...at, state: 'revealed' })).toBeNull();
    expect(auditOutcomeOf(null)).toBeNull();
  });
});
