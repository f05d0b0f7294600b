/** A searcher's side of the gateway: signed JSON-RPC calls with the Flashbots auth header. */
import { Wallet } from 'ethers';
import { searcherCall, type RpcAnswer } from '@sealane/sdk';
import { DEV_KEYS } from '@sealane/config';

export type { RpcAnswer } from '@sealane/sdk';

export function signedCall<T>(
  url: string,
  key: number | Wallet,
  method: string,
  params: unknown[],
): Promise<RpcAnswer<T>> {
  return searcherCall<T>(url, typeof key === 'number' ? new Wallet(DEV_KEYS[key]) : key, method, params);
}

export async function sendBundle(
  url: string,
  key: number | Wallet,
  txs: string[],
  blockNumber: number,
  extra: Record<string, unknown> = {},
): Promise<string> {
  const r = await signedCall<{ bundleHash: string }>(url, key, 'eth_sendBundle', [
    { txs, blockNumber: '0x' + blockNumber.toString(16), ...extra },
  ]);
  if (r.error) throw new Error(`eth_sendBundle: ${r.error.message}`);
  return r.result!.bundleHash;
}

/**
 * A one-transaction bundle's transaction: dev key `key` pays `value` wei straight to the
 * sequencer's fee recipient (dev key 0), which is its bid.
 */
export function coinbaseBid(key: number, nonce: number, value: bigint): Promise<string> {
  return new Wallet(DEV_KEYS[key]).signTransaction({
    type: 2,
    chainId: 24225,
    nonce,
    to: new Wallet(DEV_KEYS[0]).address,
    value,
    gasLimit: 21_000n,
    maxFeePerGas: 100n * 10n ** 9n,
    maxPriorityFeePerGas: 10n ** 9n,
  });
}
