export * from './names';
export * from './redis';
