/**
 * What the builder needs from the bundle simulator and from the commitment cryptography, and
 * the adapters that provide them from @sealane/simulator and @sealane/mempool. The slot's
 * phases depend on these ports only; the Nest module wires the adapters.
 */
import type { Wallet } from 'ethers';
import {
  kemEncapsulation,
  KEYPER_ENVELOPE_VERSION,
  openCommitment,
  orderRoot,
  signSlotOrder,
  type MempoolDomain,
} from '@sealane/mempool';
import { decapsulate, slotKeyPoint, type SlotKeyPoint } from '@sealane/threshold';
import { fromHex, toHex } from '@sealane/protocol';
import type {
  AccountRead,
  BundleInput,
  BundleSimulation,
  BundleSimulator,
  SimulationContext,
} from '@sealane/simulator';
import type { StoredBundle } from '@sealane/store';
import type { CommitmentCrypto } from './mempool.runner';

/** The block a bundle is simulated in, with its number always set. */
export type SimContext = SimulationContext & { number: number };

export interface BundleOutcome {
  ok: boolean;
  /** Why the bundle is invalid, naming the transaction. */
  error?: string;
  /** The transaction that failed, if one did. */
  failedTx?: string;
  /** What the fee recipient gained: priority fees plus direct payments. */
  coinbaseDiff: bigint;
  totalGasUsed: bigint;
  reads: ReadonlySet<string>;
  writes: ReadonlySet<string>;
}

/** What the builder needs from a bundle simulator (@sealane/simulator provides it). */
export interface BundleSimulatorPort {
  /**
   * Each bundle on its own at the top of the block. A bundle the engine cannot simulate comes
   * back not ok with the reason; a rejection means the engine could not be reached at all.
   */
  simulateMany(bundles: BundleInput[], ctx: SimContext): Promise<BundleOutcome[]>;
  /** The bundles one after another in one block, each measured in place. */
  simulateSequence(bundles: BundleInput[], ctx: SimContext): Promise<BundleOutcome[]>;
  /** Nonce and balance after block `parentNumber`, in one batched read; unknown accounts left out. */
  accounts(addresses: string[], parentNumber: number): Promise<Map<string, AccountRead>>;
}

/** A stored bundle as the simulator takes it: each transaction with the sender intake recovered. */
export function simBundle(b: Pick<StoredBundle, 'txs' | 'senders' | 'revertingTxHashes'>): BundleInput {
  const senders = b.senders;
  return {
    txs: senders ? b.txs.map((raw, i) => ({ raw, from: senders[i] })) : b.txs,
    revertingTxHashes: b.revertingTxHashes,
  };
}

function outcome(b: BundleSimulation): BundleOutcome {
  return {
    ok: b.valid,
    ...(b.failure
      ? {
          error: `${b.failure.code} at tx ${b.failure.txIndex} (${b.failure.txHash}): ${b.failure.message}`,
          failedTx: b.failure.txHash,
        }
      : {}),
    coinbaseDiff: b.coinbaseDiff,
    totalGasUsed: b.totalGasUsed,
    reads: b.reads,
    writes: b.writes,
  };
}

/** @sealane/simulator as the builder's port: the auction's view, and the in-place re-check. */
export function simulatorPort(sim: BundleSimulator): BundleSimulatorPort {
  return {
    simulateMany: async (bundles, ctx) => (await sim.simulateMany(bundles, ctx)).map(outcome),
    simulateSequence: async (bundles, ctx) =>
      (await sim.simulateSequence(bundles, ctx, { stateKeys: false })).bundles.map((b) => ({
        ...outcome(b),
        ok: b.included,
      })),
    accounts: (addresses, parentNumber) => sim.accounts(addresses, parentNumber),
  };
}

/** @sealane/mempool as the builder's commitment cryptography, signing with the sequencer's key. */
/** The last slot key as a point: its pairing precomputation then serves every commitment of the slot. */
let lastSlotKey: { hex: string; point: SlotKeyPoint } | undefined;
function slotKeyPointOf(key: Uint8Array): SlotKeyPoint {
  const hex = toHex(key);
  if (lastSlotKey?.hex !== hex) lastSlotKey = { hex, point: slotKeyPoint(key) };
  return lastSlotKey.point;
}

export function commitmentCrypto(sequencer: Wallet, domain: MempoolDomain): CommitmentCrypto {
  return {
    sequencer: sequencer.address.toLowerCase(),
    orderRoot: (slot, commitments) =>
      toHex(
        orderRoot(
          BigInt(slot),
          commitments.map((c) => fromHex(c)),
        ),
      ),
    signOrder: async (o) =>
      toHex(
        signSlotOrder(sequencer, { slot: BigInt(o.slot), count: o.count, root: fromHex(o.root) }, domain),
      ),
    sealedToSlot: (c) => fromHex(c.ciphertext)[0] === KEYPER_ENVELOPE_VERSION,
    keyFromSlotKey: (c, slotKey) => {
      const u = kemEncapsulation(fromHex(c.ciphertext));
      if (!u) return undefined;
      try {
        return toHex(decapsulate(u, slotKeyPointOf(slotKey), domain.chainId, BigInt(c.slot)));
      } catch {
        return undefined;
      }
    },
    open: (c, keyHex) =>
      openCommitment(
        { sender: c.sender, slot: BigInt(c.slot), ciphertext: fromHex(c.ciphertext) },
        fromHex(keyHex),
        { chainId: domain.chainId },
      ),
  };
}
