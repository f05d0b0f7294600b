import fc from 'fast-check';
import { earliestSlotTimes, nextSlotStart, slotTimes } from './timing';

describe('nextSlotStart', () => {
  it('follows the previous slot back to back when on time', () => {
    expect(nextSlotStart(10_000, 10_500, 2000, 150)).toBe(10_000);
  });
  it('re-anchors an overdue slot so that it closes now and keeps its reveal time before the seal', () => {
    const start = nextSlotStart(10_000, 20_000, 2000, 150);
    expect(start + 2000 - 150).toBe(20_000);
    expect(nextSlotStart(10_000, 20_000, 2000)).toBe(18_000);
  });
});

describe('slotTimes', () => {
  it('closes the slot its offset before its end; an offset of a whole slot closes it at its start', () => {
    expect(slotTimes(10_000, 10_500, 2000, 150)).toEqual({ startMs: 10_000, closeMs: 11_850, endMs: 12_000 });
    expect(slotTimes(10_000, 10_500, 2000, 5000)).toEqual({
      startMs: 10_500,
      closeMs: 10_500,
      endMs: 12_500,
    });
  });
});

describe('nextSlotStart without a close offset', () => {
  it('follows the previous slot back to back when on time', () => {
    expect(nextSlotStart(10_000, 10_500, 2000)).toBe(10_000);
  });
  it('re-anchors to now when more than a slot late', () => {
    expect(nextSlotStart(10_000, 20_000, 2000)).toBe(18_000);
  });
});

describe('earliestSlotTimes', () => {
  it('is never later than the times the builder runs the slot by, whenever it looks', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e12 }),
        fc.integer({ min: 0, max: 1e7 }),
        fc.integer({ min: 1, max: 60_000 }),
        fc.integer({ min: 0, max: 60_000 }),
        (prevEndMs, late, slotMs, offset) => {
          const earliest = earliestSlotTimes(prevEndMs, slotMs, offset);
          const actual = slotTimes(prevEndMs, prevEndMs + late, slotMs, offset);
          expect(earliest.startMs).toBeLessThanOrEqual(actual.startMs);
          expect(earliest.closeMs).toBeLessThanOrEqual(actual.closeMs);
          expect(earliest.endMs).toBeLessThanOrEqual(actual.endMs);
        },
      ),
    );
  });
  it('is the on-time slot: back to back with the previous one', () => {
    expect(earliestSlotTimes(10_000, 2000, 150)).toEqual({ startMs: 10_000, closeMs: 11_850, endMs: 12_000 });
  });
});
