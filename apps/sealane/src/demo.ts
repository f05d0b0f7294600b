/**
 * `npm run demo`: the whole sequencer on the embedded defaults. Sends a stream of sample
 * transfers from funded dev accounts through the gateway, prints blocks as they are sealed
 * and batches as they are posted to L1 (live, from the event bus), runs the auction
 * (demo-auction.ts) and the encrypted mempool, then `verify` and a replica that re-executes
 * the chain from L1 alone, and prints a summary.
 */
import { JsonRpcProvider, Wallet } from 'ethers';
import Redis from 'ioredis';
import { DEV_KEYS } from '@sealane/config';
import { ammAbi, E18, inboxContract } from '@sealane/contracts';
import { SealaneClient } from '@sealane/sdk';
import { deriveChain, formatReplicaReport } from '@sealane/derive';
import { formatVerifyReport, verifyChain } from '@sealane/poster';
import { EVENTS, type BatchPostedEvent, type BlockSealedEvent } from '@sealane/store';
import { auctionDemo } from './demo-auction';
import { eth, rpc, say, short, waitFor } from './demo-io';
import { startSealane } from './sealane';

const SENDERS = 6;
const TXS_PER_SENDER = 25;
const DEADLINE_MS = 180_000;

async function main(): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS;
  console.log(
    'Sealane demo: the whole sequencer on embedded defaults (redis-server, two anvil nodes, the Inbox)\n',
  );
  const s = await startSealane({
    env: {
      // The devnet's five keypers (3 needed) run in this process; in production each is its own.
      COMPONENTS: 'gateway,builder,poster,keyper',
      KEYPER_INDEX: '1,2,3,4,5',
      KEYPER_DKG_PHASE_MS: '2000',
      ...process.env,
      GATEWAY_PORT: process.env.GATEWAY_PORT ?? '0',
      GENESIS_PARAMS: JSON.stringify({
        slotMs: 1000,
        batchMaxDelayMs: 3000,
        auctionPricing: 1,
        auctionCloseOffsetMs: 400,
        revealWindowMs: 250,
      }),
    },
    logger: ['error'],
  });
  const url = s.gatewayUrl!;
  console.log(`  gateway  ${url}`);
  console.log(`  dashboard: ${url}/`);
  console.log(`  redis    ${s.devnet.redisUrl}`);
  console.log(
    `  L2       ${s.devnet.l2RpcUrl} (anvil, chain ${s.config.L2_CHAIN_ID}, sealed by the builder)`,
  );
  console.log(`  L1       ${s.devnet.l1RpcUrl} (anvil), Inbox ${s.devnet.inboxAddress}`);
  console.log(
    `  slot 1000 ms; auction and commitments close 400 ms before the slot ends (critical price), reveals for 250 ms, batches posted when full or after 3000 ms\n`,
  );

  // Watch the event bus the components use (the @nestjs/microservices Redis transport).
  const sub = new Redis(s.devnet.redisUrl);
  let blocks = 0;
  let sealedTxs = 0;
  const batches: BatchPostedEvent[] = [];
  await sub.subscribe(EVENTS.blockSealed, EVENTS.batchPosted);
  sub.on('message', (channel: string, message: string) => {
    const { data } = JSON.parse(message) as { data: BlockSealedEvent | BatchPostedEvent };
    if (channel === EVENTS.blockSealed) {
      const b = data as BlockSealedEvent;
      blocks++;
      sealedTxs += b.txCount;
      if (b.txCount || b.skipped)
        say(
          `block ${b.number} sealed: ${b.txCount} txs${b.skipped ? `, ${b.skipped} skipped` : ''}  ${short(b.hash)}`,
        );
    } else {
      const b = data as BatchPostedEvent;
      batches.push(b);
      const pct = ((100 * b.compressedBytes) / b.rawBytes).toFixed(0);
      say(
        `batch #${b.sequenceNumber} posted to L1: blocks ${b.firstBlock}-${b.lastBlock}, ${b.rawBytes} -> ${b.compressedBytes} bytes (${pct}%), L1 tx ${short(b.l1TxHash)}`,
      );
    }
  });

  // A stream of transfers from funded dev accounts, a few per slot, through the public lane.
  const wallets = DEV_KEYS.slice(1, 1 + SENDERS).map((k) => new Wallet(k));
  const hashes: string[] = [];
  say(`sending ${SENDERS * TXS_PER_SENDER} transfers from ${SENDERS} dev accounts over about 5 s ...`);
  for (let nonce = 0; nonce < TXS_PER_SENDER; nonce++) {
    for (const [i, w] of wallets.entries()) {
      const raw = await w.signTransaction({
        type: 2,
        chainId: s.config.L2_CHAIN_ID,
        nonce,
        to: wallets[(i + 1) % wallets.length].address,
        value: 10n ** 15n,
        gasLimit: 21000n,
        maxFeePerGas: 20n * 10n ** 9n,
        maxPriorityFeePerGas: 10n ** 9n,
      });
      const r = await rpc<string>(url, 'eth_sendRawTransaction', [raw]);
      if (r.error) throw new Error(`eth_sendRawTransaction: ${r.error.message}`);
      hashes.push(r.result!);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  // Two that show the checks: both refused at the gateway, as a node refuses them.
  const wrongChain = await wallets[0].signTransaction({
    type: 2,
    chainId: 1,
    nonce: 0,
    to: wallets[1].address,
    gasLimit: 21000n,
    maxFeePerGas: 10n ** 10n,
  });
  const refused = await rpc(url, 'eth_sendRawTransaction', [wrongChain]);
  say(`a transaction signed for chain 1 is refused: ${refused.error?.code} ${refused.error?.message}`);
  const stale = await wallets[0].signTransaction({
    type: 2,
    chainId: s.config.L2_CHAIN_ID,
    nonce: 0,
    to: wallets[1].address,
    gasLimit: 21000n,
    maxFeePerGas: 10n ** 10n,
  });

  const lastBlock = await waitFor(
    'all transfers to be sealed',
    async () => {
      const rs = await Promise.all(
        hashes.map((h) => rpc<{ blockNumber: string } | null>(url, 'eth_getTransactionReceipt', [h])),
      );
      return rs.every((r) => r.result) && Math.max(...rs.map((r) => Number(r.result!.blockNumber)));
    },
    deadline,
  );
  // As a node refuses it: a nonce the chain has already used is refused at send time.
  const staleRefused = await rpc(url, 'eth_sendRawTransaction', [stale]);
  if (!staleRefused.error) throw new Error('a transaction with a used nonce was accepted');
  say(`a reused nonce is refused at send time: ${staleRefused.error.code} ${staleRefused.error.message}`);
  say(`all ${hashes.length} transfers sealed by block ${lastBlock}`);

  // The auction: a user trade moves an AMM price; three searchers bid for the arbitrage.
  const { amm, deployer, trader, auctions } = await auctionDemo(s, url, deadline);

  // The encrypted mempool: users' transactions stay sealed until their order is fixed.
  console.log(
    '\nencrypted mempool: three users send private transactions with the SDK (commit, order, reveal) ...',
  );
  const sdk = new SealaneClient(url);
  const users = [
    {
      w: trader,
      what: 'a private swap of 10 A on pair A',
      tx: {
        to: amm.router,
        data: ammAbi.router.encodeFunctionData('swapExactIn', [
          amm.pairA,
          amm.tokenA,
          10n * E18,
          0n,
          trader.address,
        ]),
      },
    },
    {
      w: new Wallet(DEV_KEYS[5]),
      what: 'a private transfer',
      tx: { to: deployer.address, value: 10n ** 16n, gasLimit: 21_000n },
    },
    {
      w: new Wallet(DEV_KEYS[6]),
      what: 'a private transfer',
      tx: { to: deployer.address, value: 2n * 10n ** 16n, gasLimit: 21_000n },
    },
  ];
  const privateResults = await Promise.all(users.map((u) => sdk.sendPrivateTransaction(u.w, u.tx)));
  const byPosition = privateResults.map((r, i) => ({ r, i })).sort((a, b) => a.r.position - b.r.position);
  byPosition.forEach(({ r, i }) => {
    const where =
      r.status.state === 'included'
        ? `included in block ${r.status.block} at index ${r.status.index}`
        : `${r.status.state} (${r.status.reason})`;
    say(
      `  ${short(users[i].w.address)}: ${users[i].what}: committed for slot ${r.slot} at position ${r.position} (${short(r.commitment)}); ` +
        `order published after ${r.timings.orderedMs} ms, then revealed; ${where} after ${r.timings.sealedMs} ms`,
    );
  });
  const included = privateResults.filter((r) => r.status.state === 'included').length;

  // Threshold encryption: sealed to the slot, the keypers release its key after the order.
  const set = await waitFor(
    'the keypers to finish their key generation',
    async () => {
      const r = await rpc<{ ready: boolean; threshold: number; keypers: string[]; publicKey?: string }>(
        url,
        'sealane_getKeyperSet',
        [],
      );
      return r.result?.ready ? r.result : undefined;
    },
    deadline,
  );
  console.log(
    `
keypers: ${set.keypers.length} keypers generated one key together (${set.threshold} needed, nobody holds it: ${short(set.publicKey!)}); a user seals a transfer to its slot and goes offline ...`,
  );
  const offline = await sdk.sendPrivateTransaction(
    new Wallet(DEV_KEYS[7]),
    { to: deployer.address, value: 3n * 10n ** 16n, gasLimit: 21_000n },
    { reveal: 'keypers' },
  );
  say(
    `  ${short(new Wallet(DEV_KEYS[7]).address)}: receipted for slot ${offline.slot} at position ${offline.position} after ${offline.committedMs} ms; the SDK is done`,
  );
  const keyperStatus = await sdk.outcomeOf(offline.commitment);
  say(
    `  the keypers released the slot key after its order; ${keyperStatus.state === 'included' ? `included in block ${keyperStatus.block} at index ${keyperStatus.index}` : `${keyperStatus.state} (${keyperStatus.reason})`}`,
  );

  const l1 = new JsonRpcProvider(s.devnet.l1RpcUrl, undefined, { staticNetwork: true });
  const inbox = inboxContract(s.devnet.inboxAddress, l1);
  const lastSealed = Number((await rpc<string>(url, 'eth_blockNumber', [])).result);
  say(`waiting for the batches to cover block ${lastSealed} on L1 ...`);
  await waitFor(
    'the batches to reach L1',
    async () => Number(await inbox.nextBlock()) > lastSealed,
    deadline,
  );
  l1.destroy();

  console.log('\nverify: rebuilding the L2 chain from L1 data alone and comparing it with the L2 engine ...');
  const report = await verifyChain({
    l1RpcUrl: s.devnet.l1RpcUrl,
    inboxAddress: s.devnet.inboxAddress,
    l2RpcUrl: s.devnet.l2RpcUrl,
  });
  for (const line of formatVerifyReport(report)) console.log(`  ${line}`);

  console.log('\nreplica: a fresh engine from the genesis on L1, every batch re-executed, from L1 alone ...');
  const derived = await deriveChain({ l1RpcUrl: s.devnet.l1RpcUrl, inboxAddress: s.devnet.inboxAddress });
  for (const line of formatReplicaReport(derived)) console.log(`  ${line}`);

  const raw = batches.reduce((n, b) => n + b.rawBytes, 0);
  const compressed = batches.reduce((n, b) => n + b.compressedBytes, 0);
  console.log('\nsummary');
  console.log(
    `  transactions sent      ${hashes.length + 2} (${hashes.length} sealed, 2 refused at the gateway: wrong chain, used nonce)`,
  );
  console.log(`  blocks sealed          ${blocks} (${sealedTxs} transactions)`);
  console.log(
    `  auctions               2 slots, ${auctions.bundles} sealed bundles, ${auctions.won} winners, ${eth(auctions.refunds)} refunded`,
  );
  console.log(
    `  batches posted to L1   ${batches.length}: ${raw} bytes of RLP -> ${compressed} bytes of Brotli (${((100 * compressed) / Math.max(raw, 1)).toFixed(0)}%)`,
  );
  console.log(
    `  private transactions   ${privateResults.length} committed encrypted, ${included} included in committed order; 1 sealed to its slot for the keypers: ${keyperStatus.state}`,
  );
  console.log(`  verify                 ${report.ok ? 'OK' : 'FAILED'}`);
  console.log(
    `  replica                ${derived.ok ? `OK: ${derived.blocks} blocks re-executed from L1 alone match every hash and state root` : 'FAILED'}`,
  );
  sub.disconnect();
  await s.stop();
  process.exit(report.ok && derived.ok ? 0 : 1);
}

main().catch((e: unknown) => {
  console.error(`demo failed: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
