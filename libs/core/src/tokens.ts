/** Nest injection tokens of what CoreModule provides. */
export const CONFIG = Symbol('CONFIG');
export const ENDPOINTS = Symbol('ENDPOINTS');
export const REDIS = Symbol('REDIS');
export const EVENTS_CLIENT = Symbol('EVENTS_CLIENT');
/** The EIP-712 domain of commit receipts and slot orders: this chain and this deployment. */
export const MEMPOOL_DOMAIN = Symbol('MEMPOOL_DOMAIN');
