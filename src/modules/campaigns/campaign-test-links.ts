import { createHmac, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { CampaignMail } from './campaign-mail';

const TEST_LINK_DAYS = 7;

/**
 * The links of "send me a test" mails: signed, expiring, naming a campaign and a language, and
 * stored nowhere. The test mail's link is made when the mail is built, never kept with it.
 */
@Injectable()
export class CampaignTestLinks {
  constructor(
    mail: CampaignMail,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    mail.testLink = (campaignId, locale) => {
      const expires = Date.now() + TEST_LINK_DAYS * 86_400_000;
      return {
        url: `${this.config.baseUrl}/s/test/${this.token(campaignId, locale, expires)}`,
        expires: new Date(expires),
      };
    };
  }

  /** A signed, expiring link token for a test: campaign, language, expiry. Records nothing. */
  token(campaignId: string, locale: string, expires: number): string {
    const payload = Buffer.from(JSON.stringify({ c: campaignId, l: locale, e: expires })).toString(
      'base64url',
    );
    return `${payload}.${this.sign(payload)}`;
  }

  /** The campaign and language of a test link, or undefined when forged, malformed or expired. */
  read(token: string): { campaignId: string; locale: string } | undefined {
    const [payload, signature, extra] = token.split('.');
    if (!payload || !signature || extra !== undefined || token.length > 400) return undefined;
    const expected = Buffer.from(this.sign(payload));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    try {
      const value = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
        c?: unknown;
        l?: unknown;
        e?: unknown;
      };
      if (typeof value.c !== 'string' || typeof value.l !== 'string' || typeof value.e !== 'number')
        return undefined;
      if (value.e < Date.now()) return undefined;
      return { campaignId: value.c, locale: value.l };
    } catch {
      return undefined;
    }
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.config.appSecret)
      .update(`campaign-test\n${payload}`)
      .digest('base64url');
  }
}
