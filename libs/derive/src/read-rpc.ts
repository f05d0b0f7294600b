/**
 * The replica's JSON-RPC: what a wallet, ethers or viem read from a node, answered by the
 * replica's own engine (the chain as derived from L1, never ahead of it); writes are refused
 * with ReadOnlyError (they belong to the sequencer); nothing that controls the engine
 * (`anvil_*`, `evm_*`) is reachable. `sealane_replicaStatus` answers the replica's report.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { EngineRpcError, type L2Engine } from '@sealane/engine';
import { ReadOnlyError } from '@sealane/protocol';
import { JsonRpcDispatcher, RpcError } from '@sealane/rpc';
import type { ReplicaReport } from './replica';

export const READ_METHODS = [
  'eth_chainId',
  'net_version',
  'web3_clientVersion',
  'eth_syncing',
  'eth_blockNumber',
  'eth_getBlockByNumber',
  'eth_getBlockByHash',
  'eth_getBlockTransactionCountByNumber',
  'eth_getBlockTransactionCountByHash',
  'eth_getBlockReceipts',
  'eth_getBalance',
  'eth_getCode',
  'eth_getStorageAt',
  'eth_getTransactionCount',
  'eth_getProof',
  'eth_call',
  'eth_estimateGas',
  'eth_createAccessList',
  'eth_getLogs',
  'eth_getTransactionByHash',
  'eth_getTransactionByBlockNumberAndIndex',
  'eth_getTransactionByBlockHashAndIndex',
  'eth_getTransactionReceipt',
  'eth_getRawTransactionByHash',
  'eth_gasPrice',
  'eth_maxPriorityFeePerGas',
  'eth_feeHistory',
] as const;

export const WRITE_METHODS = [
  'eth_sendRawTransaction',
  'eth_sendTransaction',
  'eth_sendRawTransactionSync',
  'eth_sign',
  'eth_signTransaction',
  'eth_signTypedData_v4',
  'eth_sendBundle',
  'sealane_commit',
  'sealane_reveal',
] as const;

export interface ReadRpcOptions {
  host: string;
  port: number;
  maxBatch?: number;
  status: () => ReplicaReport;
}

/** Starts the replica's read-only JSON-RPC server; resolves with its URL and a stop. */
export async function serveReadRpc(
  engine: L2Engine,
  o: ReadRpcOptions,
): Promise<{ url: string; app: FastifyInstance; stop(): Promise<void> }> {
  const rpc = new JsonRpcDispatcher({ maxBatch: o.maxBatch ?? 1000 });
  for (const m of READ_METHODS) {
    rpc.register(m, async (params) => {
      try {
        return await engine.call(m, params);
      } catch (e: unknown) {
        if (e instanceof EngineRpcError && !e.wholeRequest) throw new RpcError(e.code, e.rpcMessage, e.data);
        throw e;
      }
    });
  }
  for (const m of WRITE_METHODS) {
    rpc.register(m, () => {
      throw new ReadOnlyError(`the replica is read-only: send ${m} to the sequencer`);
    });
  }
  rpc.register('sealane_replicaStatus', () => o.status());
  const app = Fastify({ bodyLimit: 5 * 1024 * 1024 });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.post('/', async (req, reply) => {
    const out = await rpc.handle(String(req.body ?? ''), req.headers);
    if (out === undefined) return reply.code(204).send();
    return reply.header('content-type', 'application/json').send(JSON.stringify(out));
  });
  const address = await app.listen({ host: o.host, port: o.port });
  return { url: address, app, stop: () => app.close() };
}
