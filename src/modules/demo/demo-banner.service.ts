import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '../../common/errors/domain-error';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { InstanceSecretsService } from '../../database/instance-secrets';
import { AccountsService } from '../accounts/accounts.service';
import { randomPassword } from '../accounts/passwords';
import { DirectoryService } from '../directory/directory.service';
import { InvitationsService } from '../invitations/invitations.service';
import { SurveysService } from '../surveys/surveys.service';

/** The instance_secret row naming the demo's live survey. */
const DEMO_LIVE_SURVEY = 'demo_live_survey';

/**
 * What the demo banner prints at every start: the demo accounts, an API token and fresh survey
 * links of the demo's own live survey.
 */
@Injectable()
export class DemoBannerService {
  constructor(
    private readonly secrets: InstanceSecretsService,
    private readonly surveys: SurveysService,
    private readonly directory: DirectoryService,
    private readonly invitations: InvitationsService,
    private readonly accountsService: AccountsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * One account per role and an API token, on a database with no account yet. Their secrets
   * are kept in instance_secret so that every start can print them: demo mode only.
   */
  async demoAccounts(): Promise<{
    accounts: { role: string; email: string; password: string; sees: string }[];
    apiToken: string;
  }> {
    const wanted = [
      {
        role: 'admin',
        email: 'admin@inpulse.demo',
        name: 'Ada Admin',
        teams: [] as string[],
        sees: 'everything',
      },
      {
        role: 'lead',
        email: 'lead@inpulse.demo',
        name: 'Leo Lead',
        teams: ['it'],
        sees: 'IT and its sub-teams',
      },
      {
        role: 'viewer',
        email: 'viewer@inpulse.demo',
        name: 'Vera Viewer',
        teams: ['facilities'],
        sees: 'Facilities',
      },
    ];
    const accounts = [];
    for (const account of wanted) {
      const password = await this.secrets.secret(`demo_password_${account.role}`, randomPassword());
      if (!(await this.accountsService.hasAccount(account.email))) {
        const { userId } = await this.accountsService.invite(undefined, {
          email: account.email,
          name: account.name,
          role: account.role,
          teamSlugs: account.teams,
        });
        await this.accountsService.setChosenPassword(userId, password);
      }
      accounts.push({ role: account.role, email: account.email, password, sees: account.sees });
    }
    let apiToken = await this.secrets.secret('demo_api_token', '');
    if (!apiToken) {
      apiToken = (
        await this.accountsService.createApiToken(undefined, {
          name: 'Demo token',
          scopes: ['admin'],
        })
      ).value;
      await this.secrets.store('demo_api_token', apiToken);
    }
    return { accounts, apiToken };
  }

  /** The survey the console links belong to: IT Service Desk, open 14 days, sent to 60 people. */
  async openLiveSurvey(questionnaireId: string, employeeIds: string[]) {
    const live = await this.surveys.createSurvey({
      name: 'IT Service Desk — this month',
      questionnaireId,
      teamSlug: 'it-service-desk',
      openDays: 14,
    });
    await this.surveys.send(live.id, { employeeIds: employeeIds.slice(0, 60) });
    await this.secrets.store(DEMO_LIVE_SURVEY, live.id);
    return live;
  }

  /**
   * Fresh single-use links for a few people of the demo's own live survey, one per language. When
   * it has closed (a demo started again weeks later), a new one is opened. Only ever the survey
   * the demo opened: never a survey or wave of real people, whose mailed links a new token would
   * break; a database the demo did not seed gets no links.
   */
  async liveLinks(count: number): Promise<{ locale: string; url: string }[]> {
    const own = await this.demoLiveSurvey();
    if (!own) return [];
    let survey: { id: string } | undefined = own.open ? { id: own.id } : undefined;
    if (!survey) {
      const latest = await this.surveys.latestPulseQuestionnaireId();
      if (!latest) return [];
      const people = (await this.directory.list({ limit: 500 })).items.filter((p) => p.active);
      survey = await this.openLiveSurvey(
        latest,
        people.map((p) => p.id),
      );
    }
    return this.invitations.reissueLinks(survey.id, ['en', 'es', 'fa', 'ja'], count);
  }

  /**
   * The demo's own live survey (the one its banner prints links of), if the demo seeded this
   * database: `open` says whether it can still be answered. Undefined when the demo never
   * opened one here — a database that holds real surveys, never touched by the banner.
   */
  private async demoLiveSurvey(): Promise<{ id: string; open: boolean } | undefined> {
    const id = await this.secrets.find(DEMO_LIVE_SURVEY);
    if (id === undefined) return undefined;
    const survey = await this.surveys.getSurvey(id).catch((error: unknown) => {
      if (error instanceof DomainError) return undefined; // gone: a new one is opened
      throw error;
    });
    return { id, open: survey !== undefined && survey.closesAt.getTime() > Date.now() };
  }
}
