import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type Handlebars from 'handlebars';
import type { EntityManager } from 'typeorm';
import { I18N } from '../../common/i18n/i18n.provider';
import type { I18n } from '../../common/i18n/i18n.service';
import { HANDLEBARS } from '../../common/views/handlebars.provider';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { InvitationsService } from '../invitations/invitations.service';
import { MailService } from '../mail/mail.service';

export interface TestMail {
  to: string;
  name: string;
  locale: string;
  campaignName: string;
  k: number;
  link: string;
  expires: Date;
}

/**
 * What campaigns ask of the mail side, in one place: a wave's invitations, its reminders, and a
 * one-off test mail.
 */
@Injectable()
export class CampaignMail {
  private readonly logger = new Logger('CampaignMail');
  private readonly templates = new Map<string, Handlebars.TemplateDelegate>();

  constructor(
    private readonly invitations: InvitationsService,
    private readonly mail: MailService,
    @Inject(I18N) private readonly i18n: I18n,
    @Inject(HANDLEBARS) private readonly hbs: typeof Handlebars,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Queues the invitation mail of every invitation of the wave's survey, in its transaction. */
  async queueWave(_surveyId: string, _manager: EntityManager): Promise<void> {
    // Queued after the commit by afterWaveOpened until the mail pipeline takes it in the transaction.
  }

  async afterWaveOpened(surveyId: string): Promise<void> {
    await this.invitations.queueDelivery(surveyId);
  }

  /** Queues reminder `sequence` (1–3) to those who have not answered. False: not possible yet. */
  async queueReminder(
    _surveyId: string,
    _sequence: number,
    _manager: EntityManager,
  ): Promise<boolean> {
    this.logger.warn('reminders wait for the mail pipeline');
    return false;
  }

  async sendTest(mail: TestMail): Promise<void> {
    const locale = this.i18n.negotiate(mail.locale);
    const context = {
      locale,
      dir: this.i18n.info(locale).dir,
      name: mail.name,
      campaignName: mail.campaignName,
      k: mail.k,
      link: mail.link,
      expires: new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }).format(
        mail.expires,
      ),
    };
    await this.mail.send({
      to: mail.to,
      subject: this.i18n.t(locale, 'email.test.subject', { name: mail.campaignName }),
      html: this.render('campaign-test.html', context, false),
      text: this.render('campaign-test.text', context, true),
      kind: 'test',
    });
  }

  private render(name: string, context: object, plainText: boolean): string {
    const key = `${name}:${plainText}`;
    let template = this.templates.get(key);
    if (!template) {
      const source = readFileSync(
        join(this.config.projectRoot, 'views', 'emails', `${name}.hbs`),
        'utf8',
      );
      template = this.hbs.compile(source, { noEscape: plainText, strict: false });
      this.templates.set(key, template);
    }
    return template(context);
  }
}
