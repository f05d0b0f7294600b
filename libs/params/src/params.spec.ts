import { DEFAULT_PARAMS, InvalidParamsError, PARAM_DEFS, withOverrides } from './params';

describe('parameters', () => {
  it('every default lies in its range', () => {
    for (const d of Object.values(PARAM_DEFS)) {
      expect(d.default).toBeGreaterThanOrEqual(d.min);
      expect(d.default).toBeLessThanOrEqual(d.max);
    }
    expect(DEFAULT_PARAMS.slotMs).toBe(2000);
  });

  it('applies valid overrides', () => {
    expect(withOverrides(DEFAULT_PARAMS, { slotMs: 250 }).slotMs).toBe(250);
  });

  it.each([
    [{ slotMs: 100 }, 'outside'],
    [{ slotMs: 1.5 }, 'integer'],
    [{ slotMs: '500' }, 'integer'],
    [{ warpDrive: 1 }, 'unknown'],
  ])('rejects %j', (o, msg) => {
    expect(() => withOverrides(DEFAULT_PARAMS, o)).toThrow(InvalidParamsError);
    expect(() => withOverrides(DEFAULT_PARAMS, o)).toThrow(msg);
  });
});

describe('relations between parameters', () => {
  it.each([
    [{ slotMs: 300, auctionCloseOffsetMs: 300 }, 'must be below slotMs'],
    [{ auctionCloseOffsetMs: 150, revealWindowMs: 200 }, 'must fit in auctionCloseOffsetMs'],
    [{ paddingBucketMinBytes: 4096, paddingBucketMaxBytes: 1024 }, 'must not exceed'],
    [{ paddingBucketMinBytes: 300 }, 'must be a power of two'],
  ])('rejects %j', (o, msg) => {
    expect(() => withOverrides(DEFAULT_PARAMS, o)).toThrow(msg);
  });
  it('accepts a 250 ms slot with its windows inside', () => {
    expect(
      withOverrides(DEFAULT_PARAMS, { slotMs: 250, auctionCloseOffsetMs: 120, revealWindowMs: 80 }).slotMs,
    ).toBe(250);
  });
});
