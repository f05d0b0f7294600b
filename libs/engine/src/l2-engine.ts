/**
 * The L2 execution engine as the builder sees it: today anvil with automine off and FIFO
 * ordering, sealed block by block with `evm_mine` at the slot timestamp.
 */
import { EngineClient } from './rpc-client';

export interface EngineBlock {
  number: string;
  hash: string;
  parentHash: string;
  stateRoot: string;
  miner: string;
  timestamp: string;
  gasLimit: string;
  gasUsed: string;
  baseFeePerGas?: string;
  transactions: string[];
}

export class L2Engine extends EngineClient {
  async blockNumber(): Promise<number> {
    return Number(await this.call<string>('eth_blockNumber'));
  }

  async getBlock(tag: number | 'latest'): Promise<EngineBlock | null> {
    const t = tag === 'latest' ? tag : '0x' + tag.toString(16);
    return this.call<EngineBlock | null>('eth_getBlockByNumber', [t, false]);
  }

  /** The genesis block's timestamp in ms: slot 1 starts no sooner. */
  async genesisMs(): Promise<number> {
    const genesis = await this.getBlock(0);
    if (!genesis) throw new Error('the L2 engine has no genesis block');
    return Number(genesis.timestamp) * 1000;
  }

  async chainId(): Promise<bigint> {
    return BigInt(await this.call<string>('eth_chainId'));
  }

  /** Empties the engine's own pool, so a sealed block holds only what this builder sent. */
  async dropAllTransactions(): Promise<void> {
    await this.call('anvil_dropAllTransactions');
  }

  async mine(timestampSec: number): Promise<void> {
    await this.call('evm_mine', [{ timestamp: timestampSec, blocks: 1 }]);
  }

  /** The fee recipient of the blocks this engine seals. */
  async setCoinbase(address: string): Promise<void> {
    await this.call('anvil_setCoinbase', [address]);
  }

  async setAutomine(on: boolean): Promise<void> {
    await this.call('evm_setAutomine', [on]);
  }

  async rawTransaction(hash: string): Promise<string | null> {
    return this.call<string | null>('eth_getRawTransactionByHash', [hash]);
  }
}

/** EIP-1559 base fee of the child of a block. */
export function nextBaseFee(parent: { gasLimit: bigint; gasUsed: bigint; baseFeePerGas: bigint }): bigint {
  const target = parent.gasLimit / 2n;
  if (target === 0n || parent.gasUsed === target) return parent.baseFeePerGas;
  if (parent.gasUsed > target) {
    const delta = (parent.baseFeePerGas * (parent.gasUsed - target)) / target / 8n;
    return parent.baseFeePerGas + (delta > 1n ? delta : 1n);
  }
  const delta = (parent.baseFeePerGas * (target - parent.gasUsed)) / target / 8n;
  return parent.baseFeePerGas - delta;
}
