import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { preparedQuery } from '../../database/prepared-query';
import { DRIVER_SQL } from './drivers.sql';
import type { Range } from './reports.repository';

/** Raw sums of the driver analysis: nothing here is shown as it is (see DriverReportService). */
export interface DriverRow {
  question_id: string;
  /** Respondents with both answers, in releases where at least k gave both. */
  n: number;
  /** Pearson's r of the question's score and the iNPS score; null without spread. */
  correlation: number | null;
}

@Injectable()
export class DriversRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Per scored question, over the pulses of these teams in the range (one statement). */
  driversOfTeams(teamIds: string[], range: Range): Promise<DriverRow[]> {
    return preparedQuery(this.dataSource, 'report_driversOfTeams', DRIVER_SQL.driversOfTeams, [
      teamIds,
      range.grain,
      range.from,
      range.to,
    ]);
  }
}
