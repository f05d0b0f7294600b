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
