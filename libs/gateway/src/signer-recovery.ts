/**
 * The gateway's signature recovery (searcher auth headers, transaction senders): RECOVERY_THREADS
 * worker threads, or the event loop when 0. Closed when the application shuts down.
 */
import { Inject, Injectable, Logger, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import type { SealaneConfig } from '@sealane/config';
import { CONFIG } from '@sealane/core';
import { signerRecovery, type SignerRecovery } from '@sealane/protocol';

export const SIGNER_RECOVERY = Symbol('SIGNER_RECOVERY');

@Injectable()
class RecoveryShutdown implements OnApplicationShutdown {
  constructor(@Inject(SIGNER_RECOVERY) private readonly recovery: SignerRecovery) {}
  async onApplicationShutdown(): Promise<void> {
    await this.recovery.close();
  }
}

export const signerRecoveryProviders: Provider[] = [
  {
    provide: SIGNER_RECOVERY,
    useFactory: (config: SealaneConfig) => {
      const logger = new Logger('gateway');
      return signerRecovery(config.RECOVERY_THREADS, { onDegraded: (reason) => logger.warn(reason) });
    },
    inject: [CONFIG],
  },
  RecoveryShutdown,
];
