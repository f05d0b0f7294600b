/**
 * Slot times, the one rule the builder runs slots by and the gateway and the SDK predict them
 * by. A slot starts when the previous one ended; its intake (bundles and commitments alike)
 * closes `closeOffsetMs` before its end, which is when its block is sealed. Between the close
 * and the end, users reveal the keys of their commitments. A slot may run late (a builder more
 * than a slot behind re-anchors to now), never early.
 */

export interface SlotTimes {
  /** The slot's start: its block's timestamp is this second. */
  startMs: number;
  /** Intake closes: bundles and commitments are fixed, the commitment order is published. */
  closeMs: number;
  /** The slot's end: its block is sealed. */
  endMs: number;
}

/**
 * Start of the next slot in ms. Slots follow each other back to back; a builder that finds
 * itself more than a slot late (first start, fail-over) re-anchors so that the overdue slot
 * closes now: one immediate slot instead of a burst of empty back-dated blocks, and its
 * `closeOffsetMs` (the time between the close and the seal, when users reveal) still runs.
 */
export function nextSlotStart(prevEndMs: number, nowMs: number, slotMs: number, closeOffsetMs = 0): number {
  return Math.max(prevEndMs, nowMs - slotMs + Math.min(closeOffsetMs, slotMs));
}

/** The times of the slot after one that ended at `prevEndMs`, seen at `nowMs`. */
export function slotTimes(prevEndMs: number, nowMs: number, slotMs: number, closeOffsetMs = 0): SlotTimes {
  const offset = Math.min(closeOffsetMs, slotMs);
  const startMs = nextSlotStart(prevEndMs, nowMs, slotMs, offset);
  const endMs = startMs + slotMs;
  return { startMs, closeMs: endMs - offset, endMs };
}

/**
 * The earliest times of the slot after one that ended at `prevEndMs`: it cannot start, close
 * or end sooner (whatever the builder's clock says), so a client may wait until then for its
 * order or its block without missing them.
 */
export function earliestSlotTimes(prevEndMs: number, slotMs: number, closeOffsetMs = 0): SlotTimes {
  return slotTimes(prevEndMs, prevEndMs, slotMs, closeOffsetMs);
}
