import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { IsCalendarDate } from '../../../common/http/calendar-date';
import { CHANNEL_KINDS } from '../entities/service-team.entity';
import { PROFILE_LIMITS, PROFILE_LOCALES } from '../team-profile';

/**
 * The shape of a team profile (PUT /api/v1/teams/:slug/profile replaces it whole). The rules
 * that span fields — intervals that overlap, a date listed twice, a value that is no e-mail
 * address — are readProfile's, shared with the profile page.
 */
export class OpeningIntervalDto {
  @ApiProperty({ minimum: 1, maximum: 7, description: 'ISO weekday: 1 = Monday … 7 = Sunday' })
  @IsInt()
  @Min(1)
  @Max(7)
  day!: number;

  @ApiProperty({ example: '09:00', description: 'local time HH:MM, 00:00–24:00' })
  @IsString()
  @MaxLength(5)
  opens!: string;

  @ApiProperty({ example: '17:00', description: 'local time HH:MM, after opens, at most 24:00' })
  @IsString()
  @MaxLength(5)
  closes!: string;
}

export class HoursExceptionDto {
  @ApiProperty({ example: '2026-12-25', description: 'a local date, YYYY-MM-DD' })
  @IsCalendarDate()
  date!: string;

  @ApiProperty({ example: 'Christmas Day' })
  @IsString()
  @MaxLength(PROFILE_LIMITS.exceptionLabelChars)
  label!: string;

  @ApiProperty({ description: 'closed all day; otherwise open only opens–closes' })
  @IsBoolean()
  closed!: boolean;

  @ApiPropertyOptional({ example: '09:00' })
  @IsOptional()
  @IsString()
  @MaxLength(5)
  opens?: string;

  @ApiPropertyOptional({ example: '13:00' })
  @IsOptional()
  @IsString()
  @MaxLength(5)
  closes?: string;
}

export class ContactChannelDto {
  @ApiProperty({ enum: CHANNEL_KINDS })
  @IsIn(CHANNEL_KINDS)
  kind!: (typeof CHANNEL_KINDS)[number];

  @ApiProperty({
    example: 'it-help@example.com',
    description: 'an e-mail address, a phone number, an https:// URL (portal, chat) or a desk',
  })
  @IsString()
  @MaxLength(PROFILE_LIMITS.channelValueChars)
  value!: string;

  @ApiPropertyOptional({
    example: { en: 'Service portal', es: 'Portal de servicio' },
    description: 'words shown with the channel, per language (en, es, ja, fa)',
  })
  @IsOptional()
  @IsObject()
  label?: Record<string, string>;
}

export class TeamProfileDto {
  @ApiProperty({
    example: { en: { handles: 'Laptops, accounts, printers', excludes: 'Phone contracts' } },
    description: `what the team handles and does not, per language (${PROFILE_LOCALES.join(', ')})`,
  })
  @IsObject()
  purpose!: Record<string, { handles: string; excludes: string }>;

  @ApiProperty({ enum: PROFILE_LOCALES, description: 'the language the profile is written in' })
  @IsIn(PROFILE_LOCALES)
  profileLocale!: string;

  @ApiProperty({ example: 'Europe/Madrid', description: 'IANA time zone of the hours' })
  @IsString()
  @MaxLength(64)
  timeZone!: string;

  @ApiProperty({ type: [OpeningIntervalDto] })
  @IsArray()
  @ArrayMaxSize(PROFILE_LIMITS.intervals)
  @ValidateNested({ each: true })
  @Type(() => OpeningIntervalDto)
  openingHours!: OpeningIntervalDto[];

  @ApiProperty({ type: [HoursExceptionDto] })
  @IsArray()
  @ArrayMaxSize(PROFILE_LIMITS.exceptions)
  @ValidateNested({ each: true })
  @Type(() => HoursExceptionDto)
  hoursExceptions!: HoursExceptionDto[];

  @ApiProperty({ type: [ContactChannelDto], description: 'in the order employees see them' })
  @IsArray()
  @ArrayMaxSize(PROFILE_LIMITS.channels)
  @ValidateNested({ each: true })
  @Type(() => ContactChannelDto)
  contactChannels!: ContactChannelDto[];

  @ApiPropertyOptional({ nullable: true, minimum: 1, description: 'service standard; null: none' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(PROFILE_LIMITS.firstResponseMinutes)
  firstResponseTargetMinutes?: number | null;

  @ApiPropertyOptional({ nullable: true, minimum: 1, description: 'service standard; null: none' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(PROFILE_LIMITS.resolutionMinutes)
  resolutionTargetMinutes?: number | null;
}
