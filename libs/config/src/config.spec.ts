import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('applies typed defaults', () => {
    const c = loadConfig({});
    expect(c.GATEWAY_PORT).toBe(8545);
    expect(c.COMPONENTS).toEqual(['gateway', 'builder', 'poster']);
    expect(c.GENESIS_PARAMS).toEqual({});
  });

  it('coerces and validates values', () => {
    const c = loadConfig({
      GATEWAY_PORT: '9000',
      COMPONENTS: 'gateway, poster',
      GENESIS_PARAMS: '{"slotMs":500}',
    });
    expect(c.GATEWAY_PORT).toBe(9000);
    expect(c.COMPONENTS).toEqual(['gateway', 'poster']);
    expect(c.GENESIS_PARAMS).toEqual({ slotMs: 500 });
  });

  it.each([
    ['GATEWAY_PORT', '70000'],
    ['COMPONENTS', 'gateway,teleporter'],
    ['REDIS_URL', 'not a url'],
    ['POSTER_PRIVATE_KEY', '0x1234'],
    ['GENESIS_PARAMS', '[1,2]'],
    ['KEY_PREFIX', 'has space'],
  ])('names the bad variable %s', (key, value) => {
    expect(() => loadConfig({ [key]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [key]: value })).toThrow(key);
  });

  it('defaults governance to dev keys 1..3, 2 of 3, supermajority 3', () => {
    const c = loadConfig({});
    expect(c.GOV_MEMBERS).toHaveLength(3);
    expect([c.GOV_THRESHOLD, c.GOV_SUPERMAJORITY, c.GOV_TIMELOCK_FLOOR_SLOTS]).toEqual([2, 3, 5]);
  });

  it.each([
    [{ GOV_THRESHOLD: '4' }, 'GOV_THRESHOLD'],
    [{ GOV_SUPERMAJORITY: '1' }, 'GOV_SUPERMAJORITY'],
    [{ GOV_MEMBERS: '0x1234' }, 'GOV_MEMBERS'],
    [
      {
        GOV_MEMBERS: `${'0x' + 'aa'.repeat(20)},${'0x' + 'AA'.repeat(20)}`,
        GOV_THRESHOLD: '1',
        GOV_SUPERMAJORITY: '1',
      },
      'GOV_MEMBERS',
    ],
    [{ GOV_DOMAIN_SALT: '0x12' }, 'GOV_DOMAIN_SALT'],
  ])('names a bad governance setting %j', (env, key) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(key);
  });

  it('reads the keyper settings: n and t, which keypers run here, the set', () => {
    const c = loadConfig({
      COMPONENTS: 'keyper',
      KEYPER_INDEX: '2, 4',
      KEYPER_COUNT: '7',
      KEYPER_THRESHOLD: '4',
    });
    expect([c.COMPONENTS, c.KEYPER_INDEX, c.KEYPER_COUNT, c.KEYPER_THRESHOLD]).toEqual([
      ['keyper'],
      [2, 4],
      7,
      4,
    ]);
    expect(loadConfig({}).KEYPER_SET).toBeUndefined();
  });

  it.each([
    [{ KEYPER_THRESHOLD: '6' }, 'KEYPER_THRESHOLD'],
    [{ COMPONENTS: 'keyper' }, 'KEYPER_INDEX: required'],
    [{ KEYPER_INDEX: '6' }, 'KEYPER_INDEX'],
    [{ KEYPER_INDEX: '1,2', KEYPER_PRIVATE_KEY: '0x' + '11'.repeat(32) }, 'KEYPER_PRIVATE_KEY'],
    [{ KEYPER_SET: '0x02' + 'ab'.repeat(32) }, 'KEYPER_SET: 1 keys for KEYPER_COUNT 5'],
    [{ KEYPER_SET: '0x04' + 'ab'.repeat(32) }, 'KEYPER_SET'],
    [{ SEQUENCER_ADDRESS: '0x12' }, 'SEQUENCER_ADDRESS'],
  ])('names a bad keyper setting %j', (env, key) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(key);
  });
});
