import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';

export class CreateTeamDto {
  @ApiProperty({ example: 'it-service-desk', description: 'lower-case letters, digits and dashes' })
  @IsString()
  @Matches(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, {
    message: 'slug must be lower-case letters, digits and single dashes, e.g. it-service-desk',
  })
  @Length(2, 64)
  slug!: string;

  @ApiProperty({ example: 'IT Service Desk' })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiPropertyOptional({ description: 'slug of the parent team', example: 'it' })
  @IsOptional()
  @IsString()
  parentSlug?: string;

  @ApiPropertyOptional({ minimum: -100, maximum: 100 })
  @IsOptional()
  @IsInt()
  @Min(-100)
  @Max(100)
  npsTarget?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 100, description: 'percent of 4–5 ratings' })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(100)
  csatTarget?: number;

  @ApiPropertyOptional({ minimum: 1 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(525600)
  firstResponseTargetMinutes?: number;

  @ApiPropertyOptional({ minimum: 1 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(5256000)
  resolutionTargetMinutes?: number;
}
