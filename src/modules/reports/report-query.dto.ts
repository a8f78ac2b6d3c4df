import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { IsCalendarDate, REPORT_DAYS } from '../../common/http/calendar-date';
import { GRAINS, type Grain } from './periods';
import { OVERVIEW_SORTS, type OverviewSort } from './reports.service';

export class ReportQueryDto {
  @ApiPropertyOptional({ enum: GRAINS, default: 'month', description: 'calendar bucket' })
  @IsOptional()
  @IsIn(GRAINS as unknown as string[], { message: `period must be one of ${GRAINS.join(', ')}` })
  period?: Grain;

  @ApiPropertyOptional({
    example: '2026-11-01',
    format: 'date',
    description: `any day of the bucket to show (default: today), from ${REPORT_DAYS.from} to ${REPORT_DAYS.to}; a day that does not exist (2026-02-30) is a 400`,
  })
  @IsOptional()
  @IsCalendarDate()
  at?: string;
}

export function periodOf(query: ReportQueryDto): { grain: Grain; at: string } {
  return { grain: query.period ?? 'month', at: query.at ?? new Date().toISOString().slice(0, 10) };
}

export class OverviewQueryDto extends ReportQueryDto {
  @ApiPropertyOptional({ enum: OVERVIEW_SORTS, default: 'name' })
  @IsOptional()
  @IsIn(OVERVIEW_SORTS as unknown as string[], {
    message: `sort must be one of ${OVERVIEW_SORTS.join(', ')}`,
  })
  sort?: OverviewSort;

  @ApiPropertyOptional({ enum: ['asc', 'desc'], default: 'asc' })
  @IsOptional()
  @IsIn(['asc', 'desc'], { message: 'dir must be asc or desc' })
  dir?: 'asc' | 'desc';
}
