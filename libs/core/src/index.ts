export * from './core.module';
export { closeQuietly, ResilientClientRedis, ResilientServerRedis } from './event-transport';
export * from './probes';
export { MetricsServer } from './metrics-server';
