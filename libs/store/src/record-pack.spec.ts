import { packRetired } from './record-pack';

const h = (n: number) => '0x' + n.toString(16).padStart(64, '0');
const a = (n: number) => '0x' + n.toString(16).padStart(40, '0');
const here = (hash: string, from: string, index: number) => ({
  hash,
  from,
  status: { status: 'included' as const, block: 7, index },
});

describe('packRetired', () => {
  it("packs the block's own first (statuses derived), others with their JSON, each sender once", () => {
    const p = packRetired(7, [
      here(h(1), a(1), 0),
      here(h(2).toUpperCase().replace('0X', '0x'), a(2), 1),
      here(h(3), a(1), 2),
      { hash: h(4), from: a(3), status: { status: 'included', block: 3, index: 5 } },
      { hash: h(5), from: a(2), status: { status: 'skipped', slot: 7, reason: 'nonce too low\nagain' } },
    ]);
    expect(p.hashes).toBe([1, 2, 3, 4, 5].map(h).join(''));
    expect(p.senders).toBe([1, 2, 3].map(a).join(''));
    expect(p.senderOf).toBe('0000' + '0001' + '0000' + '0002' + '0001');
    expect(p.kinds).toBe('bbbis');
    expect(p.statuses.split('\n').map((l) => JSON.parse(l) as unknown)).toEqual([
      { status: 'included', block: 3, index: 5 },
      { status: 'skipped', slot: 7, reason: 'nonce too low\nagain' },
    ]);
  });

  it('refuses a status of this block that is not at its position, and malformed hashes or senders', () => {
    expect(() => packRetired(7, [here(h(1), a(1), 1)])).toThrow('included at 1 but retired at position 0');
    const skip = { hash: h(9), from: a(9), status: { status: 'skipped' as const, slot: 7, reason: 'x' } };
    expect(() => packRetired(7, [skip, here(h(1), a(1), 1)])).toThrow('retired at position 1');
    expect(() => packRetired(7, [here('0x12', a(1), 0)])).toThrow('32-byte hash');
    expect(() => packRetired(7, [here(h(1), a(1).slice(0, 40), 0)])).toThrow('20-byte sender');
  });
});
