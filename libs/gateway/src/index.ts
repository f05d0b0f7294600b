export * from './gateway.module';
export * from './gateway.service';
export * from './gateway.http';
export * from './searcher-api';
export * from './readiness';
