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
 * itself more than a slot late (first start, fail-over) re-anchors so that the overdue slot
 * closes now: one immediate slot instead of a burst of empty back-dated blocks, and its
 * `closeOffsetMs` (the time between the close and the seal, when users reveal) still runs.
 */
export function nextSlotStart(prevEndMs: number, nowMs: number, slotMs: number, closeOffsetMs = 0): number {
  return Math.max(prevEndMs, nowMs - slotMs + Math.min(closeOffsetMs, slotMs));
}
