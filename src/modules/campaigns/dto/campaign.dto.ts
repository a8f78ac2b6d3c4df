import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { CADENCES, type CadenceKind, WEEKDAYS, type Weekday } from '../cadence';
import { TEMPLATE_KEYS, type TemplateKey } from '../campaign-templates';

const list = (example: string[], description: string) =>
  ApiPropertyOptional({ type: [String], example, description });

export class AudienceDto {
  @list(['Engineering', 'Sales'], 'departments (any of them); empty: all')
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(500)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  departments?: string[];

  @list(['Madrid'], 'locations (any of them); empty: all')
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(500)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  locations?: string[];

  @list(['it'], 'people whose own team is one of these or below them; empty: all')
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(500)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  teamSlugs?: string[];

  @list(['<1y', '1-2y'], 'tenure bands: <1y, 1-2y, 2-5y, 5y+; empty: all')
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(4)
  @IsString({ each: true })
  @MaxLength(8, { each: true })
  tenureBands?: string[];

  @list(['ana@example.com'], 'invited whatever the filters say')
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(500)
  @IsString({ each: true })
  @MaxLength(320, { each: true })
  includeEmails?: string[];

  @list(['ceo@example.com'], 'never invited')
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(500)
  @IsString({ each: true })
  @MaxLength(320, { each: true })
  excludeEmails?: string[];
}

export class CadenceDto {
  @ApiProperty({ enum: CADENCES })
  @IsIn(CADENCES as unknown as string[], {
    message: `cadence.kind must be one of ${CADENCES.join(', ')}`,
  })
  kind!: CadenceKind;

  @ApiPropertyOptional({ description: 'for every_n_weeks: 2–52' })
  @IsOptional()
  @IsInt()
  everyWeeks?: number;

  @ApiPropertyOptional({ example: 'FREQ=MONTHLY;BYDAY=MO;BYSETPOS=1', description: 'for rrule' })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  rrule?: string;

  @ApiProperty({
    example: '2027-01-04T10:00',
    description: 'first opening, local time in timeZone',
  })
  @IsString()
  @MaxLength(16)
  start!: string;

  @ApiPropertyOptional({
    example: 'Europe/Madrid',
    description: 'IANA; default ORGANISATION_TIME_ZONE',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  timeZone?: string;
}

export class SendWindowDto {
  @ApiProperty({ example: '09:00' })
  @IsString()
  @MaxLength(5)
  from!: string;

  @ApiProperty({ example: '17:00' })
  @IsString()
  @MaxLength(5)
  to!: string;

  @ApiProperty({ example: ['mon', 'tue', 'wed', 'thu', 'fri'], enum: WEEKDAYS, isArray: true })
  @IsArray()
  @ArrayMaxSize(7)
  @IsIn(WEEKDAYS as unknown as string[], {
    each: true,
    message: `days must be of ${WEEKDAYS.join(', ')}`,
  })
  days!: Weekday[];
}

export class CampaignDto {
  @ApiProperty({
    example: 'Q3 pulse — IT and facilities',
    description: 'HR’s internal name; respondents never see it (see titles)',
  })
  @IsString()
  @MaxLength(200)
  name!: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { en: 'How are we doing?', es: '¿Qué tal lo hacemos?' },
    description:
      'the title respondents see (survey heading, mail subject) per language: en, es, ja, fa; a language left out gets the template’s wording',
  })
  @IsOptional()
  @IsObject({ message: 'titles must be an object of language → title' })
  titles?: Record<string, string>;

  @ApiPropertyOptional({ enum: TEMPLATE_KEYS })
  @IsOptional()
  @IsIn(TEMPLATE_KEYS as unknown as string[], {
    message: `template must be one of ${TEMPLATE_KEYS.join(', ')}`,
  })
  template?: TemplateKey;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'a custom questionnaire instead of a template',
  })
  @IsOptional()
  @IsUUID('all', { message: 'questionnaireId must be a UUID' })
  questionnaireId?: string;

  @ApiPropertyOptional({ enum: ['teams', 'own_team'], description: 'default: the template’s' })
  @IsOptional()
  @IsIn(['teams', 'own_team'], { message: 'subject must be teams or own_team' })
  subject?: 'teams' | 'own_team';

  @ApiPropertyOptional({ type: [String], example: ['it-service-desk', 'facilities'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  teamSlugs?: string[];

  @ApiPropertyOptional({ type: AudienceDto })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => AudienceDto)
  audience?: AudienceDto;

  @ApiProperty({ type: CadenceDto })
  @IsObject()
  @ValidateNested()
  @Type(() => CadenceDto)
  cadence!: CadenceDto;

  @ApiPropertyOptional({ type: SendWindowDto, description: 'default 09:00–17:00 Monday–Friday' })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => SendWindowDto)
  sendWindow?: SendWindowDto;

  @ApiPropertyOptional({ default: 7, description: 'days each wave stays open' })
  @IsOptional()
  @IsInt()
  openDays?: number;

  @ApiPropertyOptional({ example: [3, 6], description: 'up to 3, days after the opening' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @IsInt({ each: true })
  reminderDays?: number[];

  @ApiPropertyOptional({
    description: 'questions per wave besides NPS/eNPS (rotation); default all',
  })
  @IsOptional()
  @IsInt()
  questionsPerWave?: number;

  @ApiPropertyOptional({ description: 'k; default REPORTING_THRESHOLD, never below it' })
  @IsOptional()
  @IsInt()
  reportingThreshold?: number;
}

export class AudienceCountDto extends AudienceDto {
  @ApiPropertyOptional({ enum: ['teams', 'own_team'] })
  @IsOptional()
  @IsIn(['teams', 'own_team'], { message: 'subject must be teams or own_team' })
  subject?: 'teams' | 'own_team';
}
