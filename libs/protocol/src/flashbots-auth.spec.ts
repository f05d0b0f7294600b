import { id, Wallet } from 'ethers';
import { flashbotsSignature, UnauthenticatedError, verifyFlashbotsSignature } from './flashbots-auth';

const searcher = new Wallet('0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba');
const other = new Wallet('0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e');
const body = '{"jsonrpc":"2.0","id":1,"method":"eth_sendBundle","params":[]}';

/** Exactly what @flashbots/ethers-provider-bundle sends. */
async function header(w: Wallet, b: string, claimed = w.address): Promise<string> {
  return `${claimed}:${await w.signMessage(id(b))}`;
}

describe('verifyFlashbotsSignature', () => {
  it('recovers the searcher from the header the Flashbots client sends', async () => {
    expect(verifyFlashbotsSignature(await header(searcher, body), body)).toBe(searcher.address.toLowerCase());
  });

  it('rejects a missing, malformed, mismatched or tampered signature', async () => {
    const h = await header(searcher, body);
    expect(() => verifyFlashbotsSignature(undefined, body)).toThrow(/missing X-Flashbots-Signature/);
    expect(() => verifyFlashbotsSignature('nonsense', body)).toThrow(UnauthenticatedError);
    expect(() => verifyFlashbotsSignature([h, h], body)).toThrow(/more than one/);
    expect(() => verifyFlashbotsSignature(h, body + ' ')).toThrow(/does not match/);
    const claimsOther = await header(searcher, body, other.address);
    expect(() => verifyFlashbotsSignature(claimsOther, body)).toThrow(/does not match/);
    const sig = h.split(':')[1];
    const badV = `${searcher.address}:${sig.slice(0, -2)}1f`;
    expect(() => verifyFlashbotsSignature(badV, body)).toThrow(/not a valid signature/);
  });

  it('signs requests exactly as the Flashbots client does', async () => {
    const h = await flashbotsSignature(searcher, body);
    expect(h).toBe(await header(searcher, body));
    expect(verifyFlashbotsSignature(h, body)).toBe(searcher.address.toLowerCase());
  });
});
