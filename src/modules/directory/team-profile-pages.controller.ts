import { Body, Controller, Get, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  CurrentUser,
  Pages,
  type SignedInUser,
  TeamScoped,
} from '../../common/access/access.decorator';
import { Flash } from '../../common/http/flash';
import { showDomainErrors } from '../../common/http/form-errors';
import { asForm, type Form } from '../../common/http/form-fields';
import { requestLocale, sharedI18n } from '../../common/i18n/request-locale';
import { pageContext } from '../../common/views/page-context';
import { openingState } from '../teams/opening-hours';
import { PROFILE_LIMITS } from '../teams/team-profile';
import { formValues, profileInputOf } from './team-profile-form';
import { profileProblems, profileWords } from './team-profile-words';
import { TeamProfilesService } from './team-profiles.service';

/** Every IANA zone this runtime knows, for the time zone field's suggestions. */
const TIME_ZONES: string[] = (() => {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] };
  return intl.supportedValuesOf?.('timeZone') ?? [];
})();

/**
 * A team describes itself (leads of the team and HR): purpose per language, hours, exceptions,
 * channels and service standards, in one form (post/redirect/get; the problems of a refused
 * form are shown on it, with what was typed). Leads reach only their teams: the guard answers
 * 404 for any other (@TeamScoped), viewers get 403.
 */
@ApiExcludeController()
@Controller('teams')
export class TeamProfilePagesController {
  constructor(
    private readonly profiles: TeamProfilesService,
    private readonly flash: Flash,
  ) {}

  @Get(':slug/profile')
  @Pages('admin', 'lead')
  @TeamScoped()
  show(@Param('slug') slug: string, @Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const saved = this.flash.take<{ changed: string[] }>(request, reply, pathOf(slug));
    return this.render(request, reply, slug, 200, { saved });
  }

  @Post(':slug/profile')
  @Pages('admin', 'lead')
  @TeamScoped()
  async save(
    @CurrentUser() actor: SignedInUser,
    @Param('slug') slug: string,
    @Body() body: unknown,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ) {
    const form = asForm(body);
    const { input, places } = profileInputOf(form);
    // The version of the profile the form was filled from: a change made meanwhile is not
    // overwritten (409, the form again with a message to reload).
    const basedOn = typeof form._version === 'string' && form._version ? form._version : undefined;
    return showDomainErrors(
      reply,
      ['invalid', 'conflict'],
      async () => {
        const { changed } = await this.profiles.update(actor, slug, input, request.ip, basedOn);
        this.flash.set(request, reply, pathOf(slug), { changed });
        return reply.redirect(pathOf(slug), 303);
      },
      (error, status) => {
        const problems = profileProblems(sharedI18n(), requestLocale(request), error, places);
        return this.render(request, reply, slug, status, {
          form,
          problems,
          version: basedOn,
        });
      },
    );
  }

  private async render(
    request: FastifyRequest,
    reply: FastifyReply,
    slug: string,
    status: number,
    state: {
      saved?: { changed: string[] };
      form?: Form;
      problems?: string[];
      version?: string;
    },
  ) {
    const { team, profile, version } = await this.profiles.get(slug);
    const now = openingState(team, new Date());
    const i18n = sharedI18n();
    const locale = requestLocale(request);
    return reply.code(status).view(
      'pages/teams/profile.hbs',
      pageContext(request, i18n.t(locale, 'profile_page.title', { team: team.name }), {
        team: { slug: team.slug, name: team.name },
        values: withChannelLabels(
          formValues(profile, state.form, profileWords(i18n, locale)),
          (kind) => i18n.t(locale, `services.channel.${kind}`),
        ),
        channelLanguages: i18n.locales.map((l) => l.name).join(' / '),
        // A form shown again keeps the version it was filled from (a 409 stays one until reload).
        version: state.form ? (state.version ?? '') : version,
        timeZones: TIME_ZONES,
        limits: PROFILE_LIMITS,
        openNow: now.openNow,
        saved: state.saved !== undefined,
        savedNothing: state.saved !== undefined && state.saved.changed.length === 0,
        problems: state.problems,
      }),
    );
  }
}

const pathOf = (slug: string) => `/teams/${slug}/profile`;

/** Each channel kind of the form by its name in the reader's language. */
function withChannelLabels<
  V extends { channels: { kinds: { value: string; selected: boolean }[] }[] },
>(values: V, label: (kind: string) => string): V {
  return {
    ...values,
    channels: values.channels.map((c) => ({
      ...c,
      kinds: c.kinds.map((k) => ({ ...k, label: label(k.value) })),
    })),
  };
}
