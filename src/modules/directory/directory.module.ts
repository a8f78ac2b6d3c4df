import { Module } from '@nestjs/common';
import { TeamsModule } from '../teams/teams.module';
import { InvitationsModule } from '../invitations/invitations.module';
import { DirectoryPagesController } from './directory-pages.controller';
import { DirectoryController } from './directory.controller';
import { DirectoryService } from './directory.service';
import { EmployeesRepository } from './employees.repository';

@Module({
  imports: [InvitationsModule, TeamsModule],
  controllers: [DirectoryController, DirectoryPagesController],
  providers: [DirectoryService, EmployeesRepository],
  exports: [DirectoryService],
})
export class DirectoryModule {}
