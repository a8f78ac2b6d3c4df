import { Controller, Get, Inject, Render, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { Public } from '../../common/guards/public.decorator';
import { I18N } from '../../common/i18n/i18n.provider';
import type { I18n } from '../../common/i18n/i18n.service';

@Public()
@ApiExcludeController()
@Controller()
export class HomeController {
  constructor(@Inject(I18N) private readonly i18n: I18n) {}

  @Get()
  @Render('pages/home.hbs')
  home(@Req() request: FastifyRequest) {
    const locale = this.i18n.negotiate(undefined, request.headers['accept-language']);
    return { locale, dir: this.i18n.info(locale).dir, title: 'inpulse' };
  }
}
