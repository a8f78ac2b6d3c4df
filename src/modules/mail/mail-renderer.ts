import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type Handlebars from 'handlebars';
import { I18N } from '../../common/i18n/i18n.provider';
import type { I18n } from '../../common/i18n/i18n.service';
import { HANDLEBARS } from '../../common/views/handlebars.provider';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import type { ClaimedMail } from './mail.repository';
import type { BuiltMail, MailMessage } from './mail-types';
import { compileMjmlTemplates } from './mjml-templates';

/**
 * A built mail made into its message: the templates of views/emails in the mail's language.
 * A mail with a `<name>.mjml.hbs` (MJML, see mjml-templates.ts) has its HTML part from it,
 * compiled once at start, in the direction of the mail's language; else from `<name>.html.hbs`.
 */
@Injectable()
export class MailRenderer implements OnModuleInit {
  private readonly templates = new Map<string, Handlebars.TemplateDelegate>();
  private mjml = new Map<string, string>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(I18N) private readonly i18n: I18n,
    @Inject(HANDLEBARS) private readonly hbs: typeof Handlebars,
  ) {}

  async onModuleInit(): Promise<void> {
    this.mjml = await compileMjmlTemplates(join(this.config.projectRoot, 'views', 'emails'));
  }

  render(mail: ClaimedMail, built: BuiltMail): MailMessage {
    const locale = this.i18n.negotiate(mail.locale);
    const context: Record<string, unknown> = { locale, dir: this.i18n.info(locale).dir };
    for (const [key, value] of Object.entries(built.context)) {
      const date = value instanceof Date ? value : dateOf(value);
      context[key] = date ? this.formatDate(date, locale) : value;
    }
    const subject =
      typeof built.subject === 'string'
        ? built.subject
        : this.i18n.t(locale, built.subject.key, built.subject.params ?? {});
    return {
      to: mail.toAddress,
      subject,
      html: this.htmlTemplate(built.template, context.dir === 'rtl' ? 'rtl' : 'ltr')(context),
      text: this.template(`${built.template}.text`, true)(context),
      kind: mail.kind,
      ...(built.headers ? { headers: built.headers } : {}),
    };
  }

  formatDate(date: Date, locale: string): string {
    return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }).format(date);
  }

  private htmlTemplate(name: string, dir: 'ltr' | 'rtl'): Handlebars.TemplateDelegate {
    const compiled = this.mjml.get(`${name}.${dir}`);
    if (compiled === undefined) return this.template(`${name}.html`, false);
    const key = `${name}.mjml.${dir}`;
    let template = this.templates.get(key);
    if (!template) {
      template = this.hbs.compile(compiled, { strict: false });
      this.templates.set(key, template);
    }
    return template;
  }

  private template(name: string, plainText: boolean): Handlebars.TemplateDelegate {
    let template = this.templates.get(name);
    if (!template) {
      if (!/^[a-z0-9-]+\.(html|text)$/.test(name)) throw new Error(`bad template name ${name}`);
      const source = readFileSync(
        join(this.config.projectRoot, 'views', 'emails', `${name}.hbs`),
        'utf8',
      );
      template = this.hbs.compile(source, { noEscape: plainText, strict: false });
      this.templates.set(name, template);
    }
    return template;
  }
}

function dateOf(value: unknown): Date | undefined {
  if (typeof value !== 'object' || value === null || !('$date' in value)) return undefined;
  const date = new Date(String((value as { $date: unknown }).$date));
  return Number.isNaN(date.getTime()) ? undefined : date;
}
