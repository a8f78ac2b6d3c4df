import { Body, Controller, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { Api } from '../../common/access/access.decorator';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CreateQuestionnaireDto } from './dto/create-questionnaire.dto';
import { CreateSurveyDto } from './dto/create-survey.dto';
import { SendSurveyDto } from './dto/send-survey.dto';
import { SurveysService } from './surveys.service';

const uuid = new ParseUUIDPipe({ version: undefined, errorHttpStatusCode: 400 });

@ApiTags('questionnaires')
@ApiBearerAuth()
@Controller('api/v1/questionnaires')
export class QuestionnairesController {
  constructor(private readonly surveys: SurveysService) {}

  @Post()
  @Api('surveys:write')
  create(@Body() body: CreateQuestionnaireDto) {
    return this.surveys.createQuestionnaire(body);
  }

  @Get()
  @Api('surveys:read')
  async list() {
    return { items: await this.surveys.listQuestionnaires() };
  }

  @Get(':id')
  @Api('surveys:read')
  get(@Param('id', uuid) id: string) {
    return this.surveys.getQuestionnaire(id);
  }
}

@ApiTags('surveys')
@ApiBearerAuth()
@Controller('api/v1/surveys')
export class SurveysController {
  constructor(private readonly surveys: SurveysService) {}

  @Post()
  @Api('surveys:write')
  create(@Body() body: CreateSurveyDto) {
    return this.surveys.createSurvey(body);
  }

  @Get()
  @Api('surveys:read')
  async list() {
    return { items: await this.surveys.listSurveys() };
  }

  /** Sends the survey to these employees: one invitation each, mail queued. */
  @Post(':id/send')
  @Api('surveys:write')
  send(@Param('id', uuid) id: string, @Body() body: SendSurveyDto) {
    return this.surveys.send(id, body);
  }
}
