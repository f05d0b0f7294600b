/** Devnet keyper identities: deterministic, public, and so safe only on the embedded devnet. */
import { sha256 } from '@noble/hashes/sha2';
import { identityKeyOf } from './dkg';

/** Keyper i's (1-based) devnet identity private key: sha256("sealane dev keyper " ‖ i), as 0x hex. */
export function devKeyperPrivateKey(index: number): string {
  return '0x' + Buffer.from(sha256(new TextEncoder().encode(`sealane dev keyper ${index}`))).toString('hex');
}

/** The devnet's keyper set of n: identity public keys of keypers 1..n. */
export function devKeyperSet(n: number): string[] {
  return Array.from({ length: n }, (_, k) => identityKeyOf(devKeyperPrivateKey(k + 1)));
}
