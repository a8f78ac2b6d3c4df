import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, IsUUID, Length, Max, Min } from 'class-validator';

export class CreateSurveyDto {
  @ApiProperty({ example: 'IT service desk — November check-in' })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'questionnaireId must be a UUID' })
  questionnaireId!: string;

  @ApiProperty({ example: 'it-service-desk', description: 'slug of the team the survey is about' })
  @IsString()
  @Length(1, 64)
  teamSlug!: string;

  @ApiPropertyOptional({ description: 'days the links stay valid (default INVITATION_TTL_DAYS)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(365)
  openDays?: number;

  @ApiPropertyOptional({
    description: 'reporting threshold k; never below the organisation default',
  })
  @IsOptional()
  @IsInt()
  @Min(3)
  @Max(1000)
  reportingThreshold?: number;
}
