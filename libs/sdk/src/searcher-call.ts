/**
 * A searcher's signed JSON-RPC call: the body signed in `X-Flashbots-Signature` (EIP-191 over the
 * hex of keccak256(body)), as `@flashbots/ethers-provider-bundle` sends it. Answers the raw
 * JSON-RPC answer, so callers see Sealane's error codes as they are.
 */
import { flashbotsSignature } from '@sealane/protocol';

/** What signs a searcher's calls: an ethers Wallet, or anything with an address and signMessage. */
export type SearcherSigner = Parameters<typeof flashbotsSignature>[0];

export interface RpcAnswer<T> {
  result?: T;
  error?: { code: number; message: string; data?: unknown };
}

export async function searcherCall<T>(
  url: string,
  signer: SearcherSigner,
  method: string,
  params: unknown[],
): Promise<RpcAnswer<T>> {
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method, params });
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-flashbots-signature': await flashbotsSignature(signer, body),
    },
    body,
  });
  return (await res.json()) as RpcAnswer<T>;
}
