/** Governance's own failures (internal: a caller sees an internal error, never these). */
import { InternalError } from '@sealane/protocol';

/** A proposal at quorum could not be scheduled: other decisions kept changing the schedule. */
export class ScheduleContentionError extends InternalError {
  override readonly name = 'ScheduleContentionError';
}
