/**
 * The current eon's public keys, read from the keypers' board once their key generation finished
 * (then kept). Until then a read is repeated at most every RETRY_MS: sealane_getMempoolInfo asks on
 * every private transaction, and reading the board checks every message's signature.
 */
import { eonKeys, eonOf, type EonKeys, type KeyperSetConfig } from '@sealane/threshold';
import type { KeyperStore } from '@sealane/store';

const RETRY_MS = 250;

export class EonKeysSource {
  readonly eon: string;
  private keys: EonKeys | undefined;
  private lastError: string | undefined;
  private retryAt = 0;

  constructor(
    private readonly store: KeyperStore,
    readonly set: KeyperSetConfig,
  ) {
    this.eon = eonOf(set);
  }

  /** The eon's keys, or null while the key generation has not finished (or failed: see error()). */
  async current(): Promise<EonKeys | null> {
    if (this.keys) return this.keys;
    if (Date.now() < this.retryAt) return null;
    try {
      this.keys = eonKeys(this.set, await this.store.board(this.eon));
      this.lastError = undefined;
      return this.keys;
    } catch (e) {
      this.lastError = (e as Error).message;
      this.retryAt = Date.now() + RETRY_MS;
      return null;
    }
  }

  /** Why there are no keys yet. */
  error(): string | undefined {
    return this.lastError;
  }
}
