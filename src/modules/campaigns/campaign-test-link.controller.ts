import { Body, Controller, Get, Inject, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '../../common/access/access.decorator';
import { asForm } from '../../common/http/form-fields';
import { I18N } from '../../common/i18n/i18n.provider';
import type { I18n } from '../../common/i18n/i18n.service';
import { checkForm, surveyFormView } from '../responses/survey-form.view';
import { CampaignPreviewService } from './campaign-preview.service';
import { CampaignTestLinks } from './campaign-test-links';

/**
 * The link of a "send me a test" mail: the survey of the campaign's next wave, answered like a
 * respondent would (same form, same checks), and nothing recorded. The link is signed and
 * expires; a forged or expired one is the same 404 as any unknown survey link.
 */
@Public()
@ApiExcludeController()
@Controller('s/test')
export class CampaignTestLinkController {
  constructor(
    private readonly previews: CampaignPreviewService,
    private readonly links: CampaignTestLinks,
    @Inject(I18N) private readonly i18n: I18n,
  ) {}

  @Get(':token')
  async show(
    @Param('token') token: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const found = await this.open(token);
    if (!found) return this.unknown(request, reply);
    const { preview } = found;
    return this.form(reply, token, 200, preview, {});
  }

  @Post(':token')
  async submit(
    @Param('token') token: string,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const found = await this.open(token);
    if (!found) return this.unknown(request, reply);
    const { preview } = found;
    const checked = checkForm(preview.questionnaire, preview.context, asForm(body));
    if (checked.invalid) return this.form(reply, token, 422, preview, checked.state);
    const locale = preview.context.locale;
    return reply
      .code(200)
      .header('Cache-Control', 'no-store')
      .view('pages/survey/thanks.hbs', {
        locale,
        dir: this.i18n.info(locale).dir,
        title: this.i18n.t(locale, 'thanks.title'),
        heading: this.i18n.t(locale, 'thanks.test_heading'),
        body: this.i18n.t(locale, 'thanks.test_body'),
      });
  }

  private async open(token: string) {
    const read = this.links.read(token);
    if (!read) return undefined;
    try {
      return { preview: await this.previews.previewForm(read.campaignId, read.locale) };
    } catch {
      return undefined;
    }
  }

  private form(
    reply: FastifyReply,
    token: string,
    status: number,
    preview: Awaited<ReturnType<CampaignPreviewService['previewForm']>>,
    state: Parameters<typeof surveyFormView>[3],
  ) {
    const locale = preview.context.locale;
    return reply
      .code(status)
      .header('Cache-Control', 'no-store')
      .header('Referrer-Policy', 'no-referrer')
      .view('pages/survey/form.hbs', {
        ...surveyFormView(preview.questionnaire, preview.context, this.i18n, state),
        action: `/s/test/${token}`,
        hidden: [],
        testBanner: this.i18n.t(locale, 'survey.test_banner', { name: preview.campaign.name }),
      });
  }

  private unknown(request: FastifyRequest, reply: FastifyReply) {
    const locale = this.i18n.negotiate(undefined, request.headers['accept-language']);
    return reply.code(404).view('pages/survey/unavailable.hbs', {
      locale,
      dir: this.i18n.info(locale).dir,
      title: this.i18n.t(locale, 'unavailable.unknown.title'),
      reason: 'unknown',
    });
  }
}
