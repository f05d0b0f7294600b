/** Human-readable revert reasons from revert data (Solidity's Error(string) and Panic(uint256)). Pure. */
import { AbiCoder } from 'ethers';

const ERROR_STRING = '0x08c379a0';
const PANIC = '0x4e487b71';

/** Solidity panic codes, as listed in the Solidity docs ("Panic via assert and Error via require"). */
const PANICS: Record<number, string> = {
  0x00: 'generic compiler panic',
  0x01: 'assert failed',
  0x11: 'arithmetic overflow or underflow',
  0x12: 'division or modulo by zero',
  0x21: 'invalid enum value',
  0x22: 'invalid storage byte array encoding',
  0x31: 'pop on an empty array',
  0x32: 'array index out of bounds',
  0x41: 'out of memory',
  0x51: 'call to an uninitialised function',
};

/**
 * The reason in `data`: the message of Error(string), a description of Panic(uint256), or
 * undefined for empty data and custom errors (whose meaning needs the contract's ABI; the
 * caller keeps the raw data for that).
 */
export function revertReason(data: string | undefined): string | undefined {
  if (!data || data.length < 10) return undefined;
  const selector = data.slice(0, 10).toLowerCase();
  const body = '0x' + data.slice(10);
  try {
    if (selector === ERROR_STRING) return AbiCoder.defaultAbiCoder().decode(['string'], body)[0] as string;
    if (selector === PANIC) {
      const code = AbiCoder.defaultAbiCoder().decode(['uint256'], body)[0] as bigint;
      return `panic 0x${code.toString(16)}: ${PANICS[Number(code)] ?? 'unknown panic code'}`;
    }
  } catch {
    // Malformed encoding: no reason to show, the raw data stays with the result.
  }
  return undefined;
}
