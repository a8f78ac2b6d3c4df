import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Api, TeamScoped } from '../../common/access/access.decorator';
import { ReviewSettingsDto } from './dto/review-settings.dto';
import { ReviewsService } from './reviews.service';

/** Which questionnaire a team's anonymous reviews ask (null: the built-in one). */
@ApiTags('reviews')
@ApiBearerAuth()
@Controller('api/v1/teams')
export class ReviewsController {
  constructor(private readonly reviews: ReviewsService) {}

  @Get(':slug/review-settings')
  @Api('surveys:read')
  @TeamScoped()
  get(@Param('slug') slug: string) {
    return this.reviews.settings(slug);
  }

  @Put(':slug/review-settings')
  @Api('surveys:write')
  @TeamScoped()
  put(@Param('slug') slug: string, @Body() body: ReviewSettingsDto) {
    return this.reviews.setSettings(slug, body.questionnaireId);
  }
}
