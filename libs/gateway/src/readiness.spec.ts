import { isReady, type Readiness } from './readiness';

const ok = (required: boolean) => ({ ok: true, required });
const bad = (required: boolean) => ({ ok: false, required, error: 'down' });

describe('isReady', () => {
  const all: Readiness['checks'] = { redis: ok(true), l2: ok(true), l1: ok(true), inbox: ok(true) };

  it('is ready when every check passes', () => {
    expect(isReady(all, false)).toBe(true);
  });

  it('is not ready when a required check fails', () => {
    expect(isReady({ ...all, l2: bad(true) }, false)).toBe(false);
    expect(isReady({ ...all, redis: bad(true) }, false)).toBe(false);
  });

  it('ignores a failing check this process does not need', () => {
    expect(isReady({ ...all, l1: bad(false), inbox: bad(false) }, false)).toBe(true);
  });

  it('is not ready once stopping', () => {
    expect(isReady(all, true)).toBe(false);
  });
});
