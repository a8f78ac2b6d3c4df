import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { IsCalendarDate } from '../../../common/http/calendar-date';
import { GRAINS, type Grain } from '../../reports/periods';
import { ACTION_DAYS } from '../action-input';
import { ACTION_ORIGINS, ACTION_STATUSES, type ActionStatus } from '../entities/team-action.entity';

const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Where the "Start an action" link came from (the team page, the follow-ups page). */
export class NewActionQueryDto {
  @IsOptional()
  @IsIn(ACTION_ORIGINS as unknown as string[], {
    message: `origin must be one of ${ACTION_ORIGINS.join(', ')}`,
  })
  origin?: (typeof ACTION_ORIGINS)[number];

  /** A question's id, or `nps` for the team's iNPS. */
  @IsOptional()
  @Matches(new RegExp(`${UUID.source}|^nps$`, 'i'), {
    message: 'questionId must be a question id or nps',
  })
  questionId?: string;

  @IsOptional()
  @IsIn(GRAINS as unknown as string[], { message: `period must be one of ${GRAINS.join(', ')}` })
  period?: Grain;

  @IsOptional()
  @IsCalendarDate()
  at?: string;

  @IsOptional()
  @Matches(UUID, { message: 'followUpId must be a follow-up id' })
  followUpId?: string;
}

/** Filters of the action lists (pages and API). */
export class ActionListQueryDto {
  @ApiPropertyOptional({ enum: ACTION_STATUSES })
  @IsOptional()
  @IsIn(ACTION_STATUSES as unknown as string[], {
    message: `status must be one of ${ACTION_STATUSES.join(', ')}`,
  })
  status?: ActionStatus;

  @ApiPropertyOptional({ description: "a team's slug" })
  @IsOptional()
  @IsString()
  @Matches(SLUG, { message: 'team must be a team slug' })
  team?: string;

  @ApiPropertyOptional({ format: 'date', description: 'open actions due before this day' })
  @IsOptional()
  @IsCalendarDate(ACTION_DAYS)
  due_before?: string;

  @ApiPropertyOptional({ enum: ['true', 'false'] })
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'published must be true or false' })
  published?: 'true' | 'false';

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ minimum: 0, default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'offset must be a whole number' })
  @Min(0)
  @Max(1_000_000)
  offset?: number;
}

/** The HR page's filters: the list's, plus "overdue only" (a checkbox). */
export class ActionPageQueryDto extends ActionListQueryDto {
  @IsOptional()
  @IsIn(['yes', ''], { message: 'overdue must be yes' })
  overdue?: string;
}
