/**
 * The rules Sealane follows, as typed parameters with a default and an allowed range each,
 * written in one place. Pure: @sealane/store (params-store.ts) persists versions; governance
 * (@sealane/governance) is the only writer after genesis.
 */
export interface ParamDef {
  default: number;
  min: number;
  max: number;
  unit: string;
  description: string;
}

export const PARAM_DEFS = {
  slotMs: {
    default: 2000,
    min: 250,
    max: 60_000,
    unit: 'ms',
    description: 'slot length; slot s = L2 block s',
  },
  publicLaneMaxTxs: {
    default: 5000,
    min: 1,
    max: 50_000,
    unit: 'txs',
    description: 'most public-lane transactions placed in one block',
  },
  publicPoolCapacity: {
    default: 200_000,
    min: 100,
    max: 10_000_000,
    unit: 'txs',
    description: 'most transactions waiting in the public lane; more are refused',
  },
  batchMaxBytes: {
    default: 100_000,
    min: 1_000,
    max: 120_000,
    unit: 'bytes',
    description: 'largest compressed batch the poster sends (L1 calldata)',
  },
  batchMaxDelayMs: {
    default: 10_000,
    min: 0,
    max: 3_600_000,
    unit: 'ms',
    description: 'longest a sealed block waits before its batch is posted',
  },
  auctionPricing: {
    default: 0,
    min: 0,
    max: 1,
    unit: 'enum',
    description: 'how winners pay: 0 = first price, 1 = critical value (second price with one winner)',
  },
  auctionRanking: {
    default: 0,
    min: 0,
    max: 1,
    unit: 'enum',
    description: 'how bundles rank: 0 = total value, 1 = value per gas',
  },
  reservePriceGwei: {
    default: 0,
    min: 0,
    max: 1_000_000_000,
    unit: 'gwei',
    description: 'least a winning bundle pays the sequencer',
  },
  mevLaneGasPercent: {
    default: 25,
    min: 0,
    max: 100,
    unit: '%',
    description: 'share of the block gas limit sold in the auction (top of block)',
  },
  bundlesPerSearcherPerSlot: {
    default: 20,
    min: 1,
    max: 10_000,
    unit: 'bundles',
    description: 'most bundles (incl. replacements) one searcher may send for one slot',
  },
  auctionCloseOffsetMs: {
    default: 150,
    min: 0,
    max: 10_000,
    unit: 'ms',
    description:
      'the auction and the commitments of a slot close this long before the slot ends (time to simulate and to reveal)',
  },
  revealWindowMs: {
    default: 100,
    min: 10,
    max: 10_000,
    unit: 'ms',
    description: 'after the close and the published order, how long users have to reveal their keys',
  },
  commitmentFeeGwei: {
    default: 10_000,
    min: 0,
    max: 1_000_000_000,
    unit: 'gwei',
    description: "least a commitment's plaintext fee transaction pays the sequencer, revealed or not",
  },
  commitmentsPerSenderPerSlot: {
    // 1: with more, an unrevealed commitment leaves a nonce gap and the sender's later fee
    // transactions in the slot cannot execute, a free option this fee exists to prevent.
    default: 1,
    min: 1,
    max: 1000,
    unit: 'commitments',
    description: 'most commitments one sender makes for one slot',
  },
  paddingBucketMinBytes: {
    default: 256,
    min: 64,
    max: 131_072,
    unit: 'bytes',
    description: 'smallest padding bucket of an encrypted transaction (buckets are powers of two)',
  },
  paddingBucketMaxBytes: {
    default: 16_384,
    min: 64,
    max: 131_072,
    unit: 'bytes',
    description: 'largest padding bucket; a longer transaction cannot be committed',
  },
  forceInclusionDelaySlots: {
    default: 10,
    min: 1,
    // The protocol's ceiling: a replica refuses a batch claiming a longer delay.
    max: 7200,
    unit: 'slots',
    description:
      'a transaction forced through Inbox.forceInclude must be in a block within this many slots of its arrival (the first block whose timestamp reaches its L1 block)',
  },
  timelockSlots: {
    default: 10,
    min: 1,
    max: 1_000_000,
    unit: 'slots',
    description:
      'a governance change takes effect no earlier than this many slots after the open slot at its quorum; below GOV_TIMELOCK_FLOOR_SLOTS only the supermajority may set it',
  },
} as const satisfies Record<string, ParamDef>;

export type ParamName = keyof typeof PARAM_DEFS;
export type Params = { readonly [K in ParamName]: number };

export class InvalidParamsError extends Error {
  override readonly name = 'InvalidParamsError';
}

export const DEFAULT_PARAMS: Params = Object.fromEntries(
  Object.entries(PARAM_DEFS).map(([k, d]) => [k, d.default]),
) as Params;

/** Applies overrides to a base set, checking names, integer values and ranges. */
export function withOverrides(base: Params, overrides: Record<string, unknown>): Params {
  const out: Record<string, number> = { ...base };
  for (const [name, value] of Object.entries(overrides)) {
    const def = (PARAM_DEFS as Record<string, ParamDef>)[name];
    if (!def) throw new InvalidParamsError(`unknown parameter "${name}"`);
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      throw new InvalidParamsError(`parameter "${name}" must be an integer`);
    }
    if (value < def.min || value > def.max) {
      throw new InvalidParamsError(`parameter "${name}" = ${value} is outside [${def.min}, ${def.max}]`);
    }
    out[name] = value;
  }
  checkRelations(out as Params);
  return out as Params;
}

/** Rules between parameters: the windows of a slot must fit in it, buckets must be ordered. */
export function checkRelations(p: Params): void {
  if (p.auctionCloseOffsetMs >= p.slotMs) {
    throw new InvalidParamsError(
      `auctionCloseOffsetMs (${p.auctionCloseOffsetMs}) must be below slotMs (${p.slotMs})`,
    );
  }
  if (p.revealWindowMs > p.auctionCloseOffsetMs) {
    throw new InvalidParamsError(
      `revealWindowMs (${p.revealWindowMs}) must fit in auctionCloseOffsetMs (${p.auctionCloseOffsetMs}): reveals end before the slot does`,
    );
  }
  if (p.paddingBucketMinBytes > p.paddingBucketMaxBytes) {
    throw new InvalidParamsError('paddingBucketMinBytes must not exceed paddingBucketMaxBytes');
  }
  for (const name of ['paddingBucketMinBytes', 'paddingBucketMaxBytes'] as const) {
    if ((p[name] & (p[name] - 1)) !== 0)
      throw new InvalidParamsError(`${name} (${p[name]}) must be a power of two`);
  }
}

/** One parameter set version, active from `activationSlot` until the next version's. */
export interface ParamsSnapshot {
  version: number;
  activationSlot: number;
  values: Params;
}

/** Whether governance paused bundle intake, and by which decision. */
export interface IntakePause {
  paused: boolean;
  /** Milliseconds since the epoch of the decision. */
  since?: number;
  proposalId?: string;
}
