import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { DomainError } from '../../common/errors/domain-error';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { JobsService } from '../../jobs/jobs.service';
import type { SurveyLink } from '../invitations/invitations.repository';
import { hashToken } from '../invitations/tokens';
import { InvitationsService } from '../invitations/invitations.service';
import type { PendingAnswer } from './entities/pending-response.entity';
import { ResponseErrors } from './responses.errors';
import { ResponsesRepository } from './responses.repository';
import type { SurveyFormContext } from './survey-form-context';

export const MIX_QUEUE = 'responses.mix';

@Injectable()
export class ResponsesService implements OnModuleInit {
  private readonly logger = new Logger('Responses');

  constructor(
    private readonly responses: ResponsesRepository,
    private readonly invitations: InvitationsService,
    private readonly jobs: JobsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.jobs.register({
      name: MIX_QUEUE,
      handler: () => this.mix().then(() => undefined),
      cron: '* * * * *',
      retryLimit: 3,
    });
  }

  /**
   * The survey behind a token, or why it cannot be answered (unknown: 404; used or expired:
   * 410). A known link comes back either way, so its page can speak the person's language.
   */
  async openLink(token: string): Promise<{ link?: SurveyLink; problem?: DomainError }> {
    const link = await this.invitations.findLink(token);
    if (!link) return { problem: ResponseErrors.unknownLink() };
    if (link.answeredOn !== null) return { link, problem: ResponseErrors.alreadyAnswered() };
    if (new Date(link.expiresAt).getTime() <= Date.now())
      return { link, problem: ResponseErrors.expired() };
    return { link };
  }

  /**
   * Claims the invitation and keeps the answers as pending, in one statement. Returns false
   * when the link cannot be claimed (answered meanwhile — e.g. by a simultaneous submit —
   * expired, deactivated, or not this survey's); nothing is written then.
   */
  submit(
    token: string,
    context: SurveyFormContext,
    blocks: { teamId: string; answers: PendingAnswer[] }[],
  ): Promise<boolean> {
    return this.responses.claimAndStore({
      tokenHash: hashToken(token),
      surveyId: context.surveyId,
      locale: context.locale,
      blocks,
    });
  }

  /** Job `responses.mix`: moves pending answers into the response tables in shuffled batches. */
  async mix(): Promise<number> {
    let total = 0;
    for (;;) {
      const moved = await this.responses.mixPending(this.config.mixBatchSize);
      total += moved;
      if (moved === 0 || moved < 20_000) break;
    }
    if (total > 0) this.logger.log(`mixed ${total} response(s)`);
    return total;
  }
}
