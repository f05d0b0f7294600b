import { Transaction, Wallet } from 'ethers';
import { decodeTransaction, fromHex } from '@sealane/protocol';
import { callArgs } from './call-args';

const wallet = new Wallet('0x' + '42'.repeat(32));
const to = '0x' + 'ab'.repeat(20);
const accessList = [
  { address: '0x' + 'cd'.repeat(20), storageKeys: ['0x' + '01'.repeat(32), '0x' + '02'.repeat(32)] },
];

async function both(tx: Parameters<Wallet['signTransaction']>[0]) {
  const raw = await wallet.signTransaction({ chainId: 7, nonce: 3, gasLimit: 90_000, value: 5, ...tx });
  const bytes = fromHex(raw);
  return { call: callArgs(decodeTransaction(bytes), bytes), ethers: Transaction.from(raw) };
}

describe('callArgs (differential against ethers)', () => {
  it('EIP-1559 with calldata and an access list', async () => {
    const { call, ethers } = await both({
      type: 2,
      to,
      data: '0xdeadbeef00',
      maxFeePerGas: 10n ** 10n,
      maxPriorityFeePerGas: 10n ** 9n,
      accessList,
    });
    expect(call).toEqual({
      from: wallet.address.toLowerCase(),
      to,
      gas: '0x15f90',
      value: '0x5',
      nonce: '0x3',
      input: ethers.data,
      maxFeePerGas: '0x2540be400',
      maxPriorityFeePerGas: '0x3b9aca00',
      accessList: ethers.accessList!.map((e) => ({
        address: e.address.toLowerCase(),
        storageKeys: e.storageKeys,
      })),
    });
  });

  it('EIP-2930 and legacy use gasPrice; a creation has no to', async () => {
    const typed = await both({ type: 1, to, data: '0x01', gasPrice: 7n, accessList });
    expect(typed.call).toMatchObject({ gasPrice: '0x7', input: '0x01', accessList: typed.call.accessList });
    expect((typed.call.accessList as { storageKeys: string[] }[])[0].storageKeys).toEqual(
      accessList[0].storageKeys,
    );
    const legacy = await both({ type: 0, to: null, data: '0x6000', gasPrice: 9n });
    expect(legacy.call).toEqual({
      from: wallet.address.toLowerCase(),
      gas: '0x15f90',
      value: '0x5',
      nonce: '0x3',
      input: '0x6000',
      gasPrice: '0x9',
    });
    expect(legacy.call).not.toHaveProperty('accessList');
  });
});
