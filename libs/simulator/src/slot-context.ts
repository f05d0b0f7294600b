/** The block environment a bundle is simulated in: derived from the parent, and sent to the engine. */
import { type EngineBlock, nextBaseFee } from '@sealane/engine';
import { qty } from './call-args';
import type { SimulationContext } from './types';

/** The context for the child of `parent`: EIP-1559 base fee from the parent, its gas limit unless given. */
export function slotContext(
  parent: EngineBlock,
  opts: { timestamp: number; feeRecipient: string; gasLimit?: bigint },
): SimulationContext {
  const gasLimit = BigInt(parent.gasLimit);
  return {
    parentNumber: Number(parent.number),
    timestamp: opts.timestamp,
    feeRecipient: opts.feeRecipient,
    baseFee: nextBaseFee({
      gasLimit,
      gasUsed: BigInt(parent.gasUsed),
      baseFeePerGas: BigInt(parent.baseFeePerGas ?? 0),
    }),
    gasLimit: opts.gasLimit ?? gasLimit,
  };
}

/** Field names as geth defines BlockOverrides; anvil accepts them in eth_simulateV1 and debug_traceCall. */
export function blockOverrides(ctx: SimulationContext): Record<string, string> {
  return {
    number: qty(ctx.number ?? ctx.parentNumber + 1),
    time: qty(ctx.timestamp),
    feeRecipient: ctx.feeRecipient.toLowerCase(),
    baseFeePerGas: qty(ctx.baseFee),
    gasLimit: qty(ctx.gasLimit),
  };
}
