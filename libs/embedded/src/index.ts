export { assertPortFree, EmbeddedStartError, freePort } from './processes';
export * from './embedded';
