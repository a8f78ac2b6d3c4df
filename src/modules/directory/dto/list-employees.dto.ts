import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../../common/http/page-query.dto';

export class ListEmployeesDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'filter by department' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  department?: string;

  @ApiPropertyOptional({ description: 'part of the e-mail or name' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  search?: string;
}
