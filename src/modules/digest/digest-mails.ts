import { Inject, Injectable } from '@nestjs/common';
import { I18N } from '../../common/i18n/i18n.provider';
import type { I18n } from '../../common/i18n/i18n.service';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import type { BuiltMail, CancelledMail, MailBuilder } from '../mail/mail-types';
import type { Grain } from '../reports/periods';
import { DigestRepository } from './digest.repository';
import { unsubscribeToken } from './digest-tokens';

/**
 * Makes the digest and alert mails when they are sent: their stored context (figures only, see
 * DigestService) plus the person's unsubscribe link, made here and never stored, in the body
 * and as List-Unsubscribe with List-Unsubscribe-Post (RFC 8058: a mail client unsubscribes
 * with one POST, no page). A person who unsubscribed after the mail was queued gets nothing.
 * The HTML part comes from views/emails/<kind>.mjml.hbs (MJML, compiled once at start).
 */
@Injectable()
export class DigestMails implements MailBuilder {
  constructor(
    private readonly digests: DigestRepository,
    @Inject(I18N) private readonly i18n: I18n,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async build(
    mails: readonly {
      id: string;
      kind: string;
      locale: string;
      context: Record<string, unknown> | null;
    }[],
  ): Promise<Map<string, BuiltMail | CancelledMail>> {
    const optedOut = await this.digests.optedOut();
    const built = new Map<string, BuiltMail | CancelledMail>();
    for (const mail of mails) {
      const context = mail.context ?? {};
      const userId = String(context.userId ?? '');
      if (optedOut.has(userId)) {
        built.set(mail.id, { cancel: 'unsubscribed from the digest' });
        continue;
      }
      const locale = this.i18n.negotiate(mail.locale);
      const url = this.unsubscribeUrl(userId);
      const period = this.i18n.period(
        locale,
        String(context.periodStart),
        String(context.grain) as Grain,
      );
      const alert = mail.kind === 'digest-alert';
      built.set(mail.id, {
        template: alert ? 'digest-alert' : 'digest',
        subject: alert
          ? this.i18n.t(locale, 'digest.alert.subject', { team: context.teamName, period })
          : this.i18n.t(locale, 'digest.subject', { period }),
        context: { ...context, unsubscribeUrl: url },
        headers: {
          'List-Unsubscribe': `<${url}>`,
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
        },
      });
    }
    return built;
  }

  unsubscribeUrl(userId: string): string {
    return `${this.config.baseUrl}/digest/unsubscribe/${unsubscribeToken(this.config.appSecret, userId)}`;
  }
}
