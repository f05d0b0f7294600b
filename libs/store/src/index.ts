export * from './names';
export * from './redis';
export * from './public-lane';
export * from './bundle-store';
export * from './commit-store';
export * from './chain-store';
export * from './poster-store';
