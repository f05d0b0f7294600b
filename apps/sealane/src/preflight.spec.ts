import { ConfigError, loadConfig } from '@sealane/config';
import { checkGenesisParams } from './preflight';

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
