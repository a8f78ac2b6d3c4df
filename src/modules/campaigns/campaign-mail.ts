import { randomUUID } from 'node:crypto';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { I18N } from '../../common/i18n/i18n.provider';
import type { I18n } from '../../common/i18n/i18n.service';
import {
  type BuiltMail,
  type CancelledMail,
  type ClaimedMail,
  MailService,
} from '../mail/mail.service';
import { type InvitationLink, InvitationsService } from '../invitations/invitations.service';

export const CAMPAIGN_TEST_KIND = 'campaign-test';
/** Invitation and reminder mails of campaign waves, in the campaign's own wording. */
export const WAVE_MAIL_KIND = 'wave';

export interface TestMail {
  to: string;
  name: string;
  locale: string;
  campaignId: string;
  /** HR's name, for the test banner. */
  campaignName: string;
  /** What respondents see in the mail's language: the subject. */
  title: string;
  k: number;
  /** The language of the HR person it goes to: the test banner is for them. */
  hrLocale?: string;
}

/**
 * "Send me a test" through the mail pipeline: a one-off mail of kind `campaign-test`. Its row
 * holds no link; the signed test link is made when the mail is built, like invitation links.
 */
@Injectable()
export class CampaignMail implements OnModuleInit {
  /** Set by CampaignsService: makes a test link (signed, expiring) for a campaign and language. */
  testLink?: (campaignId: string, locale: string) => { url: string; expires: Date };

  constructor(
    private readonly mail: MailService,
    private readonly invitations: InvitationsService,
    @Inject(I18N) private readonly i18n: I18n,
  ) {}

  onModuleInit(): void {
    // The link is the invitations feature's (a fresh token when the mail is built); the words
    // are the campaign's: its name, and a reminder that asks nothing more than a minute.
    this.invitations.registerInvitationMail(WAVE_MAIL_KIND, (mail, link) => ({
      template: 'campaign-invitation',
      subject: {
        key: mail.sequence === 0 ? 'email.campaign.subject' : 'email.campaign.reminder_subject',
        params: { name: titleOf(link, mail.locale) },
      },
      context: {
        name: link.name,
        campaignName: titleOf(link, mail.locale),
        k: link.reportingThreshold,
        link: link.url,
        expires: link.expiresAt,
        reminder: mail.sequence > 0,
      },
    }));
    this.mail.registerKind(CAMPAIGN_TEST_KIND, {
      build: async (mails: readonly ClaimedMail[]) =>
        new Map<string, BuiltMail | CancelledMail>(
          mails.map((mail): [string, BuiltMail | CancelledMail] => {
            const context = (mail.context ?? {}) as {
              campaignId?: string;
              campaignName?: string;
              title?: string;
              name?: string;
              k?: number;
              hrLocale?: string;
            };
            if (!context.campaignId || !this.testLink)
              return [mail.id, { cancel: 'not a campaign test' }];
            const link = this.testLink(context.campaignId, mail.locale);
            return [
              mail.id,
              {
                template: 'campaign-test',
                subject: {
                  key: 'email.campaign_test.subject',
                  params: { name: context.title ?? context.campaignName ?? '' },
                },
                context: {
                  ...context,
                  // The mail is the invitation in the language tested; its banner speaks to HR
                  // in their own.
                  banner: this.banner(context.hrLocale ?? mail.locale, context.campaignName ?? ''),
                  bannerLocale: this.i18n.negotiate(context.hrLocale ?? mail.locale),
                  bannerDir: this.i18n.info(this.i18n.negotiate(context.hrLocale ?? mail.locale))
                    .dir,
                  link: link.url,
                  expires: link.expires,
                },
              },
            ];
          }),
        ),
    });
  }

  async sendTest(mail: TestMail): Promise<void> {
    await this.mail.queueMail({
      kind: CAMPAIGN_TEST_KIND,
      to: mail.to,
      locale: mail.locale,
      dedupeKey: `campaign-test:${randomUUID()}`,
      context: {
        campaignId: mail.campaignId,
        campaignName: mail.campaignName,
        title: mail.title,
        name: mail.name,
        k: mail.k,
        ...(mail.hrLocale ? { hrLocale: mail.hrLocale } : {}),
      },
    });
  }

  private banner(locale: string, campaignName: string): string {
    return this.i18n.t(this.i18n.negotiate(locale), 'email.campaign_test.banner', {
      name: campaignName,
    });
  }
}

/** A wave's title in the mail's language; its survey's name for waves from before titles. */
function titleOf(link: InvitationLink, locale: string): string {
  return link.surveyTitles?.[locale] ?? link.surveyTitles?.en ?? link.surveyName;
}
