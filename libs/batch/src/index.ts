/**
 * @sealane/batch — the batch codec and the poster's pure choices (what goes into a batch,
 * when it goes, how hard to compress). No I/O, no @nestjs/*.
 */
export * from './batch.error';
export * from './codec';
export * from './compression';
export * from './select';
