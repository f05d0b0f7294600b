/** The soak's random fault schedule: reproducible from a seed, every kind of fault represented. */

export const FAULT_KINDS = [
  'kill gateway',
  'kill leader builder',
  'kill standby builder',
  'kill poster',
  'restart redis',
  'kill L2 engine',
  'freeze L1',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface PlannedFault {
  kind: FaultKind;
  /** Seconds after the load starts. */
  at: number;
  /** How long the target stays down (or L1 frozen), seconds. */
  downFor: number;
}

/** mulberry32: a small seeded generator, enough to replay a schedule. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `count` faults at random times in the middle 10%..85% of the load (the start lets the system
 * settle, the end leaves time to recover under load before the drain). Kinds cycle through a
 * fresh shuffle of every kind, so each appears once before any appears twice.
 */
export function planFaults(count: number, durationS: number, seed: number): PlannedFault[] {
  const r = rng(seed);
  const kinds: FaultKind[] = [];
  while (kinds.length < count) {
    const deck = [...FAULT_KINDS];
    for (let i = deck.length - 1; i > 0; i--) {
      const j = Math.floor(r() * (i + 1));
      [deck[i], deck[j]] = [deck[j], deck[i]];
    }
    kinds.push(...deck);
  }
  const freeze = Math.min(60, Math.max(3, durationS / 5));
  return kinds
    .slice(0, count)
    .map((kind) => ({
      kind,
      at: Math.round((0.1 + 0.75 * r()) * durationS * 10) / 10,
      downFor:
        kind === 'freeze L1'
          ? Math.round(freeze * (0.5 + 0.5 * r()) * 10) / 10
          : Math.round((0.5 + 2.5 * r()) * 10) / 10,
    }))
    .sort((a, b) => a.at - b.at);
}
