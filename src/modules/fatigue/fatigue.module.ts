import { Module } from '@nestjs/common';
import { FatigueController, SettingsPagesController } from './fatigue.controller';
import { FatigueRepository } from './fatigue.repository';
import { FatigueService } from './fatigue.service';

@Module({
  controllers: [FatigueController, SettingsPagesController],
  providers: [FatigueService, FatigueRepository],
  exports: [FatigueService],
})
export class FatigueModule {}
