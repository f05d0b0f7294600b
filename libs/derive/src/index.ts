/**
 * @sealane/derive — the L2 chain from L1 alone: reading the Inbox (genesis, batches, forced
 * transactions), the derivation rules a batch must follow, re-executing blocks on a fresh
 * engine, and checking each slot's ordering evidence. Used by `sealane replica` and
 * `sealane verify --derive`.
 */
export * from './forced';
