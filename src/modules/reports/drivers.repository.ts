import { Injectable } from '@nestjs/common';
import { ReadDatabase } from '../../database/read-database';
import { DRIVER_SQL } from './drivers.sql';
import type { Range } from './reports.repository';

/**
 * Raw counts of the driver analysis: nothing here is shown as it is (see DriverReportService).
 * The cells cross the iNPS category with whether the answer to the question is favourable.
 */
export interface DriverRow {
  question_id: string;
  /** Respondents with both answers, in releases where at least k gave both: the cells' sum. */
  n: number;
  detractor_low: number;
  detractor_top: number;
  passive_low: number;
  passive_top: number;
  promoter_low: number;
  promoter_top: number;
}

@Injectable()
export class DriversRepository {
  constructor(private readonly read: ReadDatabase) {}

  /** Per scored question, over the pulses of these teams in the range (one statement). */
  driversOfTeams(teamIds: string[], range: Range): Promise<DriverRow[]> {
    return this.read.prepared<DriverRow>('report_driversOfTeams', DRIVER_SQL.driversOfTeams, [
      teamIds,
      range.grain,
      range.from,
      range.to,
    ]);
  }
}
