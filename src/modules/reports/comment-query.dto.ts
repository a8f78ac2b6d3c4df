import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { ReportQueryDto } from './report-query.dto';
import { SEARCH_MAX_LENGTH } from './comment-search';

/** A team's report period and, optionally, words to look for in its comments (`q`). */
export class CommentQueryDto extends ReportQueryDto {
  @ApiPropertyOptional({
    example: 'slow',
    maxLength: SEARCH_MAX_LENGTH,
    description:
      'words to look for in the comments of the period (case, accents, width and Persian half-spaces do not matter; Japanese is found inside words); empty: no search',
  })
  @IsOptional()
  @IsString({ message: 'q must be one piece of text' })
  @MaxLength(SEARCH_MAX_LENGTH, { message: `q must be at most ${SEARCH_MAX_LENGTH} characters` })
  @Matches(/^[^\p{Cc}]*$/u, { message: 'q must not contain control characters' })
  q?: string;
}
