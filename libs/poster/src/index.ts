/**
 * @sealane/poster — posts sealed L2 blocks to the L1 Inbox as batches, and `verify`, which
 * checks the L2 engine against L1 data alone. No @nestjs/* here.
 */
export * from './batch-builder';
export * from './in-flight';
export * from './in-flight.ports';
export * from './poster';
export * from './poster.error';
export * from './poster.options';
export * from './reconcile';
export * from './txmgr/fees';
export * from './txmgr/tx-manager';
export * from './verify';
export * from './poster.module';
export * from './forced-watcher';
