import { parseFlags, UsageError } from './args';
import { formatStatus, type StatusReport } from './status';

const base: StatusReport = {
  rpc: 'http://127.0.0.1:8545',
  reachable: true,
  ready: false,
  chainId: 24225,
  sealedHead: 7,
  openSlot: 8,
  leader: null,
  checks: { redis: { ok: true, required: true }, l1: { ok: false, required: false, error: 'ECONNREFUSED' } },
  params: { version: 2, activationSlot: 5, scheduled: 1, intakePaused: true },
  poster: null,
  keypers: null,
  errors: { keypers: 'Method not found (-32601)' },
};

describe('sealane status', () => {
  it('says what is wrong, one line per part, and keeps going past a failed read', () => {
    expect(formatStatus(base)).toEqual([
      'gateway  http://127.0.0.1:8545: NOT READY',
      'chain    24225 (0x5ea1)',
      'head     sealed 7, open slot 8',
      'params   version 2 (from slot 5), 1 scheduled; bundle intake PAUSED',
      'poster   no status: no poster of this deployment has run',
      'keypers  unavailable (Method not found (-32601))',
      'checks   redis ok, l1 FAILED (not required): ECONNREFUSED',
    ]);
  });

  it('stops at the first line when nothing answers', () => {
    const down = { ...base, reachable: false, errors: { ready: 'fetch failed' } };
    expect(formatStatus(down)).toEqual([
      'gateway  http://127.0.0.1:8545: NOT ANSWERING',
      '         fetch failed',
    ]);
  });
});

describe('command flags', () => {
  it('takes --name VALUE, --name=VALUE and booleans; refuses the rest by name', () => {
    const f = parseFlags(['--rpc', 'http://x', '--json'], { values: ['rpc'], booleans: ['json'] });
    expect([f.values.get('rpc'), f.on.has('json')]).toEqual(['http://x', true]);
    expect(parseFlags(['--rpc=http://y'], { values: ['rpc'] }).values.get('rpc')).toBe('http://y');
    const bad = (argv: string[]) => () => parseFlags(argv, { values: ['rpc'], booleans: ['json'] });
    expect(bad(['--nope'])).toThrow(new UsageError('unknown option --nope'));
    expect(bad(['--rpc'])).toThrow('--rpc needs a value');
    expect(bad(['--rpc', '--json'])).toThrow('--rpc needs a value');
    expect(bad(['--json=1'])).toThrow('--json takes no value');
    expect(bad(['--rpc', 'a', '--rpc', 'b'])).toThrow('--rpc given twice');
    expect(bad(['stray'])).toThrow('unexpected argument "stray"');
  });
});
