/**
 * @sealane/poster — posts sealed L2 blocks to the L1 Inbox as batches, and `verify`, which
 * checks the L2 engine against L1 data alone. No @nestjs/* here.
 */
export * from './batch-builder';
export * from './fees';
export * from './in-flight';
export * from './poster';
export * from './poster.error';
export * from './poster.state';
export * from './reconcile';
export * from './txmgr/tx-manager';
export * from './verify';
export * from './poster.module';
