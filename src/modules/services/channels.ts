import type { I18n } from '../../common/i18n/i18n.service';
import type { ContactChannel } from '../teams/entities/service-team.entity';
import { channelLabel } from '../teams/team-profile';

/** A contact channel as a page shows it: its words, and a link only of a safe kind. */
export interface ChannelView {
  kind: string;
  kindLabel: string;
  label: string;
  /** The label's language when it is not the reader's (the profile's own, marked). */
  labelLang?: string;
  value: string;
  /** mailto:, tel: or https: only; anything else (javascript:, data:…) is shown as text. */
  href?: string;
}

const EMAIL = /^[^\s@<>()",;:\\]{1,64}@[^\s@<>()",;:\\]{1,190}\.[A-Za-z0-9-]{2,63}$/;

/** The link of a channel, when its value is a safe one of its kind; else undefined. */
export function channelHref(channel: Pick<ContactChannel, 'kind' | 'value'>): string | undefined {
  const value = (channel.value ?? '').trim();
  if (channel.kind === 'email') return EMAIL.test(value) ? `mailto:${value}` : undefined;
  if (channel.kind === 'phone') {
    const digits = value.replace(/[\s().-]/g, '');
    return /^\+?[0-9]{3,20}$/.test(digits) ? `tel:${digits}` : undefined;
  }
  if (channel.kind === 'portal' || channel.kind === 'chat') {
    try {
      const url = new URL(value);
      return url.protocol === 'https:' && url.username === '' && url.password === ''
        ? url.href
        : undefined;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export function channelView(
  i18n: I18n,
  locale: string,
  profileLocale: string,
  channel: ContactChannel,
): ChannelView | undefined {
  if (!channel || typeof channel.value !== 'string' || channel.value.trim() === '')
    return undefined;
  const kindLabel = i18n.t(locale, `services.channel.${channel.kind}`);
  const own = channelLabel(channel, locale, profileLocale);
  return {
    kind: channel.kind,
    kindLabel,
    label: own?.text ?? kindLabel,
    labelLang: own && own.locale !== locale ? own.locale : undefined,
    value: channel.value.trim(),
    href: channelHref(channel),
  };
}
