/** Signed transactions as JSON-RPC call arguments (eth_simulateV1, debug_traceCall). Pure. */
import { decodeRlp } from 'ethers';
import type { DecodedTx } from '@sealane/protocol';

export const qty = (v: bigint | number): string => '0x' + v.toString(16);

/** The transaction as call arguments; `raw` already passed the strict decoder, so its shape is known. */
export function callArgs(tx: DecodedTx, raw: Uint8Array): Record<string, unknown> {
  // Fields: legacy [nonce, gasPrice, gas, to, value, data, v, r, s]; EIP-2930 [chainId, nonce,
  // gasPrice, gas, to, value, data, accessList, ...]; EIP-1559 adds a fee field before gas.
  const fields = decodeRlp(tx.type === 0 ? raw : raw.subarray(1)) as unknown[];
  const at = tx.type === 0 ? 5 : tx.type === 1 ? 6 : 7;
  const call: Record<string, unknown> = {
    from: tx.from,
    gas: qty(tx.gasLimit),
    value: qty(tx.value),
    input: fields[at] as string,
    nonce: qty(tx.nonce),
  };
  if (tx.to) call.to = tx.to;
  if (tx.type === 2) {
    call.maxFeePerGas = qty(tx.maxFeePerGas);
    call.maxPriorityFeePerGas = qty(tx.maxPriorityFeePerGas);
  } else {
    call.gasPrice = qty(tx.maxFeePerGas);
  }
  if (tx.type >= 1) {
    call.accessList = (fields[at + 1] as [string, string[]][]).map(([address, storageKeys]) => ({
      address,
      storageKeys,
    }));
  }
  return call;
}
