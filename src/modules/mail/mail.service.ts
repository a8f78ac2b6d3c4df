import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import type Handlebars from 'handlebars';
import nodemailer, { Transporter } from 'nodemailer';
import { I18N } from '../../common/i18n/i18n.provider';
import type { I18n } from '../../common/i18n/i18n.service';
import { HANDLEBARS } from '../../common/views/handlebars.provider';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { OutboxMessage } from './entities/outbox-message.entity';
import { OutboxRepository } from './outbox.repository';

export interface MailMessage {
  to: string;
  subject: string;
  html: string;
  text: string;
  kind: string;
}

export interface InvitationMail {
  to: string;
  name: string;
  locale: string;
  surveyName: string;
  teamName: string;
  reportingThreshold: number;
  expiresAt: Date;
  link: string;
}

/**
 * Sends mail through SMTP_URL with nodemailer; with no SMTP_URL, keeps it in the outbox table so
 * a demo works with no mail server. Templates are views/emails/<name>.html.hbs and .text.hbs.
 */
@Injectable()
export class MailService implements OnApplicationShutdown {
  private readonly transport: Transporter | undefined;
  private readonly templates = new Map<string, Handlebars.TemplateDelegate>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(I18N) private readonly i18n: I18n,
    @Inject(HANDLEBARS) private readonly hbs: typeof Handlebars,
    private readonly outbox: OutboxRepository,
  ) {
    this.transport = config.smtpUrl
      ? nodemailer.createTransport({
          url: config.smtpUrl,
          pool: true,
          maxConnections: 4,
          connectionTimeout: 10_000,
          greetingTimeout: 10_000,
          socketTimeout: 30_000,
        } as never)
      : undefined;
  }

  get usesOutbox(): boolean {
    return this.transport === undefined;
  }

  async sendInvitation(mail: InvitationMail): Promise<void> {
    const locale = this.i18n.negotiate(mail.locale);
    const context = {
      locale,
      dir: this.i18n.info(locale).dir,
      name: mail.name,
      teamName: mail.teamName,
      surveyName: mail.surveyName,
      k: mail.reportingThreshold,
      link: mail.link,
      expires: new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }).format(
        mail.expiresAt,
      ),
    };
    await this.send({
      to: mail.to,
      subject: this.i18n.t(locale, 'email.invitation.subject', { team: mail.teamName }),
      html: this.render('invitation.html', context, false),
      text: this.render('invitation.text', context, true),
      kind: 'invitation',
    });
  }

  /**
   * A mail made from views/emails/<template>.html.hbs and .text.hbs, in the recipient's
   * language (its subject is a translation key).
   */
  async sendTemplate(mail: {
    to: string;
    locale: string;
    template: string;
    subject: { key: string; params?: Record<string, string | number> };
    context: Record<string, unknown>;
    kind: string;
  }): Promise<void> {
    const locale = this.i18n.negotiate(mail.locale);
    const context = { ...mail.context, locale, dir: this.i18n.info(locale).dir };
    await this.send({
      to: mail.to,
      subject: this.i18n.t(locale, mail.subject.key, mail.subject.params),
      html: this.render(`${mail.template}.html`, context, false),
      text: this.render(`${mail.template}.text`, context, true),
      kind: mail.kind,
    });
  }

  async send(message: MailMessage): Promise<void> {
    if (this.transport) {
      await this.transport.sendMail({
        from: this.config.mailFrom,
        to: message.to,
        subject: message.subject,
        html: message.html,
        text: message.text,
      });
      return;
    }
    await this.outbox.insert(message);
  }

  listOutbox(limit: number): Promise<OutboxMessage[]> {
    return this.outbox.latest(limit);
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

  onApplicationShutdown(): void {
    this.transport?.close();
  }
}
