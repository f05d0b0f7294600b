/**
 * @sealane/batch — the batch codec and the poster's pure choices (what goes into a batch,
 * when it goes, how hard to compress), and the data formats that carry a batch in an L1
 * transaction (da/). No I/O, no @nestjs/*.
 */
export * from './batch.error';
export * from './codec';
export * from './compression';
export * from './output-root';
export * from './select';
export * from './da/format';
export * from './da/calldata';
export * from './da/registry';
