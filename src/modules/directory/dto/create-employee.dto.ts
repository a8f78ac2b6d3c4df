import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, MaxLength } from 'class-validator';

export class CreateEmployeeDto {
  @ApiProperty({ example: 'ana.garcia@example.com' })
  @IsString()
  @MaxLength(320)
  email!: string;

  @ApiProperty({ example: 'Ana García' })
  @IsString()
  @MaxLength(200)
  name!: string;

  @ApiPropertyOptional({ example: 'Finance' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  department?: string;

  @ApiPropertyOptional({ example: 'Madrid' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  location?: string;

  @ApiPropertyOptional({ example: '2021-03-15', description: 'YYYY-MM-DD' })
  @IsOptional()
  @IsString()
  hireDate?: string;

  @ApiPropertyOptional({
    example: 'es',
    description: 'language tag; en, es, ja and fa have translations',
  })
  @IsOptional()
  @IsString()
  @MaxLength(16)
  locale?: string;

  @ApiPropertyOptional({ example: 'E-10442' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  externalId?: string;

  @ApiPropertyOptional({
    example: 'Europe/Madrid',
    description: 'IANA time zone for send windows; default the organisation’s',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  timeZone?: string;

  @ApiPropertyOptional({ example: 'it-service-desk', description: 'slug of the person’s own team' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  teamSlug?: string;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}
