export * from './metrics';
export * from './log';
export * from './slot-report';
export * from './prom-text';
