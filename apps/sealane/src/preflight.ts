/**
 * Start-up checks of what the operator gave, before anything starts: each failure is one
 * ConfigError naming the setting (main prints it as one line and exits 1), never a stack trace
 * from deep inside a component that met the bad value first.
 */
import { ConfigError, type SealaneConfig } from '@sealane/config';
import { probeChain, probeInbox, probeRedisUrl, redactUrl, type Probe } from '@sealane/core';
import { DEFAULT_PARAMS, InvalidParamsError, withOverrides } from '@sealane/params';

/** GENESIS_PARAMS against the parameter ranges and relations (pure). */
export function checkGenesisParams(config: SealaneConfig): void {
  try {
    withOverrides(DEFAULT_PARAMS, config.GENESIS_PARAMS);
  } catch (e) {
    if (e instanceof InvalidParamsError) throw new ConfigError(`GENESIS_PARAMS: ${e.message}`);
    throw e;
  }
}

/**
 * How long a start waits for a part that does not answer at all: a component restarted while
 * Redis or an engine restarts waits for it, as a supervisor would retry; a part that answers
 * wrongly (another chain, no Inbox) fails at once, and a wrong URL fails after this wait.
 */
export const STARTUP_WAIT_MS = 15_000;
const RETRY_MS = 500;

async function untilAnswered<T>(probe: () => Promise<Probe<T>>, deadline: number): Promise<Probe<T>> {
  for (;;) {
    const p = await probe();
    if (p.ok || !p.unreachable || Date.now() + RETRY_MS > deadline) return p;
    await new Promise((r) => setTimeout(r, RETRY_MS));
  }
}

/** Redis, the L2 engine, L1 and the Inbox, each only where the operator set its URL. */
export async function preflight(config: SealaneConfig, waitMs = STARTUP_WAIT_MS): Promise<void> {
  const deadline = Date.now() + waitMs;
  checkGenesisParams(config);
  const checks: Promise<string | undefined>[] = [];
  if (config.REDIS_URL) {
    const url = config.REDIS_URL;
    checks.push(
      untilAnswered(() => probeRedisUrl(url), deadline).then((p) =>
        p.ok ? undefined : `REDIS_URL ${redactUrl(url)} is unreachable: ${p.error}`,
      ),
    );
  }
  if (config.L2_RPC_URL) {
    const url = config.L2_RPC_URL;
    checks.push(
      untilAnswered(() => probeChain(url, config.L2_CHAIN_ID), deadline).then((p) =>
        p.ok ? undefined : `L2_RPC_URL ${redactUrl(url)} ${p.error} (L2_CHAIN_ID)`,
      ),
    );
  }
  // Only the poster talks to L1: a gateway or builder alone may run with a placeholder L1.
  if (config.COMPONENTS.includes('poster')) {
    if (config.INBOX_ADDRESS && !config.L1_RPC_URL) {
      throw new ConfigError('INBOX_ADDRESS is set but L1_RPC_URL is not: an Inbox lives on a given L1');
    }
    if (config.L1_RPC_URL) {
      const url = config.L1_RPC_URL;
      const l1 = await untilAnswered(() => probeChain(url, config.L1_CHAIN_ID), deadline);
      if (!l1.ok) throw new ConfigError(`L1_RPC_URL ${redactUrl(url)} ${l1.error} (L1_CHAIN_ID)`);
      if (config.INBOX_ADDRESS) {
        const address = config.INBOX_ADDRESS;
        checks.push(
          untilAnswered(() => probeInbox(url, address), deadline).then((p) =>
            p.ok ? undefined : `INBOX_ADDRESS ${address} ${p.error}`,
          ),
        );
      }
    }
  }
  const failed = (await Promise.all(checks)).filter((m): m is string => m !== undefined);
  if (failed.length) throw new ConfigError(failed.join('; '));
}

/**
 * A start-up step against Redis, tried again while the connection is not ready (Redis went
 * away between the preflight and this step: it restarts), until `waitMs` is spent. An error
 * with the connection ready is the step's own and fails at once.
 */
export async function whileStoreAway<T>(
  redis: { readonly status: string },
  step: () => Promise<T>,
  waitMs = STARTUP_WAIT_MS,
  retryMs = RETRY_MS,
): Promise<T> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return await step();
    } catch (e) {
      if (redis.status === 'ready' || Date.now() + retryMs > deadline) throw e;
      await new Promise((r) => setTimeout(r, retryMs));
    }
  }
}
