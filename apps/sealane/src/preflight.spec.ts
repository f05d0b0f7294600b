import { ConfigError, loadConfig } from '@sealane/config';
import { checkGenesisParams, whileStoreAway } from './preflight';

describe('checkGenesisParams', () => {
  it('names GENESIS_PARAMS and the parameter out of range', () => {
    const config = loadConfig({ GENESIS_PARAMS: '{"slotMs":1}' });
    expect(() => checkGenesisParams(config)).toThrow(ConfigError);
    expect(() => checkGenesisParams(config)).toThrow(/^GENESIS_PARAMS: parameter "slotMs" = 1 is outside/);
  });

  it('names an unknown parameter', () => {
    expect(() => checkGenesisParams(loadConfig({ GENESIS_PARAMS: '{"slotMillis":2000}' }))).toThrow(
      'GENESIS_PARAMS: unknown parameter "slotMillis"',
    );
  });

  it('accepts the defaults', () => {
    expect(() => checkGenesisParams(loadConfig({}))).not.toThrow();
  });
});

describe('whileStoreAway', () => {
  it('tries a start-up step again while Redis reconnects, and stops once it answers', async () => {
    const redis = { status: 'reconnecting' };
    let calls = 0;
    const v = await whileStoreAway(
      redis,
      async () => {
        if (++calls < 3) throw new Error('Reached the max retries per request limit');
        return 'done';
      },
      1000,
      1,
    );
    expect([v, calls]).toEqual(['done', 3]);
  });
  it("fails at once on the step's own error (Redis ready), and after the wait otherwise", async () => {
    let calls = 0;
    const fail = async () => {
      calls++;
      throw new Error('bad');
    };
    await expect(whileStoreAway({ status: 'ready' }, fail, 1000, 1)).rejects.toThrow('bad');
    expect(calls).toBe(1);
    await expect(whileStoreAway({ status: 'reconnecting' }, fail, 20, 5)).rejects.toThrow('bad');
    expect(calls).toBeGreaterThan(2);
  });
});
