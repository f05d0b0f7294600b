/**
 * A user that sends one private transaction sealed to its slot for the keypers, prints the SDK's
 * answer (receipt included) as one JSON line, and exits: it is gone before the slot closes.
 * Env: SEALANE_GATEWAY, USER_KEY (a DEV_KEYS index), TO (address), SLOT (optional).
 */
import { Wallet } from 'ethers';
import { DEV_KEYS } from '@sealane/config';
import { SealaneClient } from '@sealane/sdk';

async function main(): Promise<void> {
  const client = new SealaneClient(process.env.SEALANE_GATEWAY!);
  const r = await client.sendPrivateTransaction(
    new Wallet(DEV_KEYS[Number(process.env.USER_KEY)]),
    { to: process.env.TO!, value: 4321n, gasLimit: 21_000n },
    { reveal: 'keypers', ...(process.env.SLOT ? { slot: Number(process.env.SLOT) } : {}) },
  );
  process.stdout.write(JSON.stringify(r) + '\n');
}

main().then(
  () => process.exit(0),
  (e: Error) => {
    process.stderr.write(`${e.name}: ${e.message}\n`);
    process.exit(1);
  },
);
