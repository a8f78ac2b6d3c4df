import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { GRAINS, type Grain } from './periods';
import { OVERVIEW_SORTS, type OverviewSort } from './reports.service';

export class ReportQueryDto {
  @ApiPropertyOptional({ enum: GRAINS, default: 'month', description: 'calendar bucket' })
  @IsOptional()
  @IsIn(GRAINS as unknown as string[], { message: `period must be one of ${GRAINS.join(', ')}` })
  period?: Grain;

  @ApiPropertyOptional({
    example: '2026-11-01',
    description: 'any day of the bucket to show (default: today)',
  })
  @IsOptional()
  @Matches(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, {
    message: 'at must be a date in the form YYYY-MM-DD',
  })
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
