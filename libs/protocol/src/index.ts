export * from './errors';
export * from './hash';
export * from './recover';
export * from './transaction';
export * from './flashbots-auth';
export * from './recovery-pool';
export * from './timing';
export * from './account-book';
