import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsOptional, IsString, Matches, MaxLength, ValidateBy } from 'class-validator';
import { IsCalendarDate } from '../../../common/http/calendar-date';
import { PageQueryDto } from '../../../common/http/page-query.dto';

/** A form sends every field, filled or not: an empty (or blank) one means "any". */
const emptyIsAny = () =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && value.trim() === '' ? undefined : value,
  );

/** `to` is not before `from` (both already days, or another rule says what is wrong). */
function IsNotBeforeFrom(): PropertyDecorator {
  const day = (v: unknown): v is string => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v);
  const ok = (to: unknown, from: unknown) => !day(to) || !day(from) || from <= to;
  return ValidateBy({
    name: 'isNotBeforeFrom',
    validator: {
      validate: (value, args) => ok(value, (args?.object as AuditQueryDto).from),
      defaultMessage: (args) =>
        `to (${String(args?.value)}) is before from (${String((args?.object as AuditQueryDto).from)})`,
    },
  });
}

export class AuditQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    example: 'jane@',
    description:
      'who did it: part of the e-mail or name of a user, or of the name of an API token (case does not matter), or a user id',
  })
  @emptyIsAny()
  @IsOptional()
  @IsString({ message: 'user must be a single text' })
  @MaxLength(320, { message: 'user must be at most 320 characters' })
  user?: string;

  @ApiPropertyOptional({ example: 'auth.', description: 'actions starting with this' })
  @emptyIsAny()
  @IsOptional()
  @IsString({ message: 'action must be a single text' })
  @Matches(/^[a-z_.]{1,64}$/, {
    message: 'action must be letters, dots and underscores, e.g. auth.login or auth.',
  })
  action?: string;

  @ApiPropertyOptional({
    example: '2026-11-01',
    format: 'date',
    description: 'from this day on (UTC), inclusive',
  })
  @emptyIsAny()
  @IsOptional()
  @IsCalendarDate()
  from?: string;

  @ApiPropertyOptional({
    example: '2026-11-30',
    format: 'date',
    description: 'up to and including this day (UTC)',
  })
  @emptyIsAny()
  @IsOptional()
  @IsCalendarDate()
  @IsNotBeforeFrom()
  to?: string;
}
