/** Time, injected so slot logic is tested without sleeping. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((r) => setTimeout(r, Math.max(0, ms))),
};

/**
 * Start of the next slot in ms. Slots follow each other back to back; a builder that finds
 * itself more than a slot late (first start, fail-over) re-anchors to now, so it catches up
 * with one immediate slot instead of sealing a burst of empty back-dated blocks.
 */
export function nextSlotStart(prevEndMs: number, nowMs: number, slotMs: number): number {
  return Math.max(prevEndMs, nowMs - slotMs);
}
