import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { INTEGRATION_KINDS } from '../entities/integration.entity';
import { DELIVERY_OUTCOMES, type DeliveryOutcome } from '../entities/webhook-delivery.entity';

export class MappingRuleDto {
  @ApiProperty({
    example: 'Service Desk',
    description: 'group / queue / assignment group: name or id',
  })
  @IsString()
  @Length(1, 200)
  match!: string;

  @ApiProperty({ example: 'it-service-desk', description: 'slug of the team its tickets rate' })
  @IsString()
  @Length(1, 64)
  team!: string;
}

/** Settings HR may change on an integration (all optional on update). */
export class UpdateIntegrationDto {
  @ApiPropertyOptional({ example: 'Jira Service Management' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ example: 'it', description: 'slug of the team of unmatched tickets' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  defaultTeam?: string;

  @ApiPropertyOptional({ type: [MappingRuleDto], description: 'the first rule that matches wins' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => MappingRuleDto)
  mappingRules?: MappingRuleDto[];

  @ApiPropertyOptional({ default: 60, minimum: 0, maximum: 10080 })
  @IsOptional()
  @IsInt()
  delayMinutes?: number;

  @ApiPropertyOptional({ default: 14, minimum: 1, maximum: 60 })
  @IsOptional()
  @IsInt()
  linkExpiryDays?: number;

  @ApiPropertyOptional({
    default: 30,
    minimum: 0,
    maximum: 365,
    description: 'per requester and team',
  })
  @IsOptional()
  @IsInt()
  throttleDays?: number;

  @ApiPropertyOptional({ default: 100, minimum: 0, maximum: 100 })
  @IsOptional()
  @IsInt()
  samplingPercent?: number;

  @ApiPropertyOptional({ example: ['HR grievance', 'Legal matter'], description: 'never surveyed' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  excludedCategories?: string[];

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  excludeRequesterIsAssignee?: boolean;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class CreateIntegrationDto extends PartialType(UpdateIntegrationDto) {
  @ApiProperty({ enum: INTEGRATION_KINDS })
  @IsIn(INTEGRATION_KINDS)
  kind!: string;

  @ApiProperty({ example: 'Jira Service Management' })
  @IsString()
  @Length(1, 200)
  declare name: string;

  @ApiProperty({ example: 'it' })
  @IsString()
  @Length(1, 64)
  declare defaultTeam: string;

  @ApiPropertyOptional({
    description: 'Zendesk only (required): the signing secret Zendesk shows for the webhook',
  })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  signingSecret?: string;
}

export class RotateSecretDto {
  @ApiPropertyOptional({ description: 'Zendesk: the new secret it made; others: leave out' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  signingSecret?: string;

  @ApiPropertyOptional({
    description: 'how long the old secret stays valid (default WEBHOOK_SECRET_OVERLAP_HOURS)',
  })
  @IsOptional()
  @IsInt()
  overlapHours?: number;
}

/** Which lines of an integration's delivery log: the newest `limit`, of one outcome or all. */
export class DeliveriesQueryDto {
  @ApiPropertyOptional({ enum: DELIVERY_OUTCOMES })
  @IsOptional()
  @IsIn(DELIVERY_OUTCOMES)
  outcome?: DeliveryOutcome;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;
}
