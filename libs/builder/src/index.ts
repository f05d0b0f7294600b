export * from './builder';
export * from './builder.module';
export * from './clock';
export * from './lease';
export * from './public-lane.select';
export * from './auction.runner';
export * from './mempool.runner';
export * from './phases/record';
