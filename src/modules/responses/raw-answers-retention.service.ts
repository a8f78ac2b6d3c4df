import { Injectable } from '@nestjs/common';
import { RawAnswersRetentionRepository } from './raw-answers-retention.repository';

/**
 * What `retention.purge` deletes of the responses feature's tables (RETENTION_RAW_ANSWERS_DAYS,
 * docs/retention.md): the raw rows of releases older than the retention period, by the age of
 * their release day alone. The reports of those days keep what they showed: their rollups are
 * frozen (report_refresh leaves days before the line alone) and the comments keep their text.
 */
@Injectable()
export class RawAnswersRetentionService {
  constructor(private readonly repository: RawAnswersRetentionRepository) {}

  /** Moves the freeze line to `days` days before today (never backwards); the line in force. */
  advanceLine(days: number): Promise<string> {
    return this.repository.advanceLine(days);
  }

  /** One batch of responses (their answers with them) released before `line`. */
  purgeResponses(line: string, limit: number): Promise<number> {
    return this.repository.purgeResponsesBatch(line, limit);
  }

  /** One batch of segment aggregates released before `line` that no report reads any more. */
  purgeSegments(line: string, limit: number): Promise<number> {
    return this.repository.purgeSegmentsBatch(line, limit);
  }

  /** Vacuums the tables rows were deleted from. */
  vacuum(): Promise<void> {
    return this.repository.vacuum();
  }
}
