import { Module } from '@nestjs/common';
import { TeamsModule } from '../teams/teams.module';
import { DirectoryController } from './directory.controller';
import { DirectoryService } from './directory.service';
import { EmployeesRepository } from './employees.repository';

@Module({
  imports: [TeamsModule],
  controllers: [DirectoryController],
  providers: [DirectoryService, EmployeesRepository],
  exports: [DirectoryService],
})
export class DirectoryModule {}
