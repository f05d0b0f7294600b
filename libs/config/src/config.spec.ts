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
});
