/**
 * @sealane/threshold — the keypers' cryptography: BLS12-381 slot keys shared t-of-n, their key
 * generation (a DKG over a bulletin board), and identity-based encryption to a slot.
 */
export * from './bls';
export * from './shamir';
export * from './slot-key';
export * from './ibe';
export * from './dkg';
export * from './dev-keypers';
