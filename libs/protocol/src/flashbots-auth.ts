/**
 * Searcher authentication as Flashbots does it: header `X-Flashbots-Signature: <address>:<sig>`,
 * where sig is the EIP-191 personal signature of the hex string of keccak256(raw body). The
 * recovered address is the searcher's identity. Recovery goes through native libsecp256k1.
 */
import { utf8ToBytes } from '@noble/hashes/utils';
import { SealaneError } from './errors';
import { fromHex, keccak256, toHex } from './hash';
import { recoverSignerOrNull, type RecoverableSignature } from './recover';

export class UnauthenticatedError extends SealaneError {
  override readonly name = 'UnauthenticatedError';
}

export const FLASHBOTS_HEADER = 'x-flashbots-signature';
const SECP256K1_HALF_N = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

/** EIP-191 (version 0x45) hash of a UTF-8 message. */
export function personalMessageHash(message: Uint8Array): Uint8Array {
  const prefix = utf8ToBytes(`\x19Ethereum Signed Message:\n${message.length}`);
  const buf = new Uint8Array(prefix.length + message.length);
  buf.set(prefix);
  buf.set(message, prefix.length);
  return keccak256(buf);
}

/** The header value a searcher sends with `body`, signed by `signer` (as the Flashbots client does). */
export async function flashbotsSignature(
  signer: { address: string; signMessage(message: string): Promise<string> },
  body: string,
): Promise<string> {
  return `${signer.address}:${await signer.signMessage(toHex(keccak256(utf8ToBytes(body))))}`;
}

/** A header read and checked in form, with the signature still to recover. */
export interface FlashbotsAuth {
  /** The lowercase address the header names. */
  claimed: string;
  signature: RecoverableSignature;
}

/**
 * Reads the header against the raw body, everything but the recovery: the caller recovers the
 * signature (with a request's other signatures, off the event loop) and hands the signer to
 * `checkFlashbotsSigner`.
 */
export function parseFlashbotsSignature(
  header: string | string[] | undefined,
  rawBody: string,
): FlashbotsAuth {
  if (header === undefined || header === '') {
    throw new UnauthenticatedError(
      'missing X-Flashbots-Signature header (address:signature over keccak256 of the body)',
    );
  }
  if (Array.isArray(header)) throw new UnauthenticatedError('more than one X-Flashbots-Signature header');
  const m = /^(0x[0-9a-fA-F]{40}):(0x[0-9a-fA-F]{130})$/.exec(header.trim());
  if (!m) throw new UnauthenticatedError('X-Flashbots-Signature must be <address>:<65-byte hex signature>');
  const sig = fromHex(m[2]);
  const v = sig[64];
  const yParity = v === 27 || v === 0 ? 0 : v === 28 || v === 1 ? 1 : -1;
  const s = BigInt(toHex(sig.subarray(32, 64)));
  if (yParity < 0 || s === 0n || s > SECP256K1_HALF_N)
    throw new UnauthenticatedError('X-Flashbots-Signature is not a valid signature');
  return {
    claimed: m[1].toLowerCase(),
    signature: {
      digest: personalMessageHash(utf8ToBytes(toHex(keccak256(utf8ToBytes(rawBody))))),
      r: sig.subarray(0, 32),
      s: sig.subarray(32, 64),
      yParity: yParity as 0 | 1,
    },
  };
}

/** The searcher's lowercase address, once the recovered signer is the one the header names. */
export function checkFlashbotsSigner(auth: FlashbotsAuth, recovered: string | null): string {
  if (recovered === null) throw new UnauthenticatedError('X-Flashbots-Signature is not a valid signature');
  if (recovered !== auth.claimed)
    throw new UnauthenticatedError('X-Flashbots-Signature does not match the address it names');
  return recovered;
}

/** Checks the header against the raw body on this thread; returns the searcher's lowercase address. */
export function verifyFlashbotsSignature(header: string | string[] | undefined, rawBody: string): string {
  const auth = parseFlashbotsSignature(header, rawBody);
  return checkFlashbotsSigner(auth, recoverSignerOrNull(auth.signature));
}
