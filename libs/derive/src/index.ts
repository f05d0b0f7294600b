/**
 * @sealane/derive — the L2 chain from L1 alone: reading the Inbox (genesis, batches, forced
 * transactions), the derivation rules a batch must follow, re-executing blocks on a fresh
 * engine (a replica), and the forced-inclusion rules the builder shares. Used by
 * `sealane replica` and `sealane verify --derive`.
 */
export * from './forced';
export * from './l1-source';
export * from './derive';
export * from './evidence';
export * from './replica';
export * from './read-rpc';
