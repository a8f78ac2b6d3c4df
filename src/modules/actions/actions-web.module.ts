import { Module } from '@nestjs/common';
import { ReportsModule } from '../reports/reports.module';
import { TicketsModule } from '../tickets/tickets.module';
import { ActionOriginsService } from './action-origins.service';
import { ActionPagesController } from './action-pages.controller';
import { ActionsModule } from './actions.module';
import { ActionsController } from './actions.controller';

/** The action pages and API: they prefill "what we heard" from reports and follow-ups. */
@Module({
  imports: [ActionsModule, ReportsModule, TicketsModule],
  controllers: [ActionPagesController, ActionsController],
  providers: [ActionOriginsService],
})
export class ActionsWebModule {}
