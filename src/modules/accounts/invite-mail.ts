import type { I18n } from '../../common/i18n/i18n.service';

/**
 * The mail that invites someone to inpulse, with their set-password link, in `locale` (the
 * language chosen for them when they were invited, else the inviting admin's): its direction
 * follows the language, so a Persian mail reads right to left.
 */
export function inviteMail(
  i18n: I18n,
  locale: string,
  input: { name: string; role: string; link: string; days: number },
): { subject: string; text: string; html: string } {
  const t = (key: string, vars: Record<string, unknown> = {}) =>
    i18n.t(locale, `account.invite_mail.${key}`, vars);
  const role = i18n.t(locale, `admin.users.roles.${input.role}`);
  const days = i18n.number(locale, input.days);
  const greeting = t('greeting', { name: input.name });
  const body = t('body', { role, days });
  const { dir } = i18n.info(locale);
  const html = [
    `<div lang="${escapeHtml(locale)}" dir="${dir}" style="text-align:start">`,
    `<p>${escapeHtml(greeting)}</p>`,
    `<p>${escapeHtml(body)}</p>`,
    `<p><a href="${escapeHtml(input.link)}">${escapeHtml(t('button'))}</a></p>`,
    `<p dir="ltr" style="text-align:start"><a href="${escapeHtml(input.link)}">${escapeHtml(input.link)}</a></p>`,
    `<p>${escapeHtml(t('ignore'))}</p>`,
    `</div>`,
  ].join('');
  const text = `${greeting}\n\n${body}\n\n${input.link}\n\n${t('ignore')}\n`;
  return { subject: t('subject'), text, html };
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
