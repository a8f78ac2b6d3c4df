import { Injectable } from '@nestjs/common';
import type { SignedInUser } from '../../common/access/access.decorator';
import type { SurveyFormContext } from '../responses/survey-form-context';
import type { Questionnaire } from '../surveys/entities/questionnaire.entity';
import { SurveysService } from '../surveys/surveys.service';
import { TeamsService } from '../teams/teams.service';
import { rotatedQuestions } from './campaign-input';
import { CampaignMail } from './campaign-mail';
import { respondentTitle } from './campaign-titles';
import { CampaignErrors } from './campaigns.errors';
import { CampaignsRepository } from './campaigns.repository';
import { CampaignsService } from './campaigns.service';
import type { Campaign } from './entities/campaign.entity';

/**
 * The next wave as respondents will see it: the preview page, and "send me a test" (the
 * invitation to the signed-in person's own address, with a link that records nothing).
 */
@Injectable()
export class CampaignPreviewService {
  constructor(
    private readonly campaigns: CampaignsService,
    private readonly repository: CampaignsRepository,
    private readonly surveys: SurveysService,
    private readonly teams: TeamsService,
    private readonly mail: CampaignMail,
  ) {}

  /** The questionnaire and the questions the next wave asks (rotation), for the preview. */
  async nextWaveQuestions(campaign: Campaign): Promise<{
    questionnaire: Questionnaire;
    questionIds: string[] | null;
    number: number;
  }> {
    const questionnaire = await this.surveys.getQuestionnaire(campaign.questionnaireId);
    const number = (await this.repository.waveCount(campaign.id)) + 1;
    return {
      questionnaire,
      number,
      questionIds: rotatedQuestions(questionnaire.questions ?? [], campaign.rotationSize, number),
    };
  }

  /** The form context of the next wave's survey, for the preview and test links. */
  async previewForm(campaignId: string, locale: string) {
    const campaign = await this.campaigns.get(campaignId);
    const { questionnaire, questionIds, number } = await this.nextWaveQuestions(campaign);
    const teams = await this.teams.list();
    const context: SurveyFormContext = {
      surveyId: '',
      invitationId: '',
      questionnaireId: questionnaire.id,
      teamId: '',
      teamName: campaign.subject === 'teams' ? respondentTitle(campaign, locale) : 'your team',
      k: campaign.reportingThreshold,
      locale,
      ...(campaign.subject === 'teams'
        ? {
            blocks: campaign.teamIds
              .map((id) => teams.find((t) => t.id === id))
              .filter((t) => t !== undefined)
              .map((t) => ({ teamId: t.id, teamName: t.name })),
          }
        : {}),
      ...(questionIds ? { questionIds } : {}),
    };
    return { campaign, questionnaire, context, number };
  }

  /**
   * "Send me a test": the invitation as respondents get it, to the signed-in person's own
   * address, with a link that shows the survey of the next wave and records nothing (see
   * CampaignTestLinks). Mail goes through the mail pipeline like any other.
   */
  async sendTest(
    id: string,
    person: SignedInUser,
    locale: string,
    ip?: string,
  ): Promise<{ to: string }> {
    const campaign = await this.campaigns.get(id);
    if (campaign.status === 'archived') throw CampaignErrors.archived();
    await this.mail.sendTest({
      to: person.email,
      name: person.name,
      locale,
      campaignId: campaign.id,
      campaignName: campaign.name,
      title: respondentTitle(campaign, locale),
      k: campaign.reportingThreshold,
      hrLocale: person.locale ?? undefined,
    });
    await this.campaigns.record(
      'campaign.test_sent',
      campaign,
      { actor: person, ip },
      { to: person.email, locale },
    );
    return { to: person.email };
  }
}
