import { Module } from '@nestjs/common';
import { ActionsRepository } from './actions.repository';
import { ActionsService } from './actions.service';

@Module({
  providers: [ActionsService, ActionsRepository],
  exports: [ActionsService],
})
export class ActionsModule {}
