export * from './auction';
export * from './auction.error';
export * from './auction.fixture';
export * from './merkle';
export * from './rules';
