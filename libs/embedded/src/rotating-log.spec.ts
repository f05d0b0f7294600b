import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RotatingLog } from './rotating-log';

describe('RotatingLog', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'sealane-log-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps the file and its one old copy within the bound however much is written', () => {
    const file = join(dir, 'anvil.log');
    const log = new RotatingLog(file, 1000);
    for (let i = 0; i < 5000; i++) log.write(`line ${i} ${'x'.repeat(i % 50)}\n`);
    log.write('last line\n');
    log.close();
    expect(statSync(file).size).toBeLessThanOrEqual(1000);
    expect(statSync(`${file}.1`).size).toBeLessThanOrEqual(1000);
    expect(existsSync(`${file}.2`)).toBe(false);
    // The newest output is what survives.
    expect(readFileSync(file, 'utf8').endsWith('last line\n')).toBe(true);
  });

  it('counts what the file already holds when it reopens one', () => {
    const file = join(dir, 'redis.log');
    const first = new RotatingLog(file, 100);
    first.write('a'.repeat(90));
    first.close();
    const second = new RotatingLog(file, 100);
    second.write('b'.repeat(20));
    second.close();
    expect(readFileSync(`${file}.1`, 'utf8')).toBe('a'.repeat(90));
    expect(readFileSync(file, 'utf8')).toBe('b'.repeat(20));
  });

  it('keeps the tail of a chunk larger than the bound', () => {
    const file = join(dir, 'big.log');
    const log = new RotatingLog(file, 10);
    log.write('0123456789abcdef');
    log.close();
    expect(readFileSync(file, 'utf8')).toBe('6789abcdef');
  });
});
