/**
 * @sealane/mempool — the pure core of the encrypted commit-reveal lane. See ../README.md.
 */
export * from './mempool.error';
export * from './envelope';
export * from './commitment';
export * from './skip-reason';
export * from './order';
export * from './signatures';
export * from './audit';
export * from './audit-report';
export * from './client';
export * from './wire';
export { normalizeAddress } from './encoding';
