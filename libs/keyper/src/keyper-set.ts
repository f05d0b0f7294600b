/** The keyper set the settings describe, and each keyper's identity key. */
import type { SealaneConfig } from '@sealane/config';
import { devKeyperPrivateKey, devKeyperSet, type KeyperSetConfig } from '@sealane/threshold';

export function keyperSetOf(
  config: Pick<SealaneConfig, 'L2_CHAIN_ID' | 'KEYPER_COUNT' | 'KEYPER_THRESHOLD' | 'KEYPER_SET'>,
): KeyperSetConfig {
  return {
    chainId: BigInt(config.L2_CHAIN_ID),
    threshold: config.KEYPER_THRESHOLD,
    keypers: config.KEYPER_SET ?? devKeyperSet(config.KEYPER_COUNT),
  };
}

/** Keyper `index`'s identity private key: KEYPER_PRIVATE_KEY, or the devnet's for that index. */
export function keyperPrivateKeyOf(config: Pick<SealaneConfig, 'KEYPER_PRIVATE_KEY'>, index: number): string {
  return config.KEYPER_PRIVATE_KEY ?? devKeyperPrivateKey(index);
}
