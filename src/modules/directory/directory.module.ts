import { Module } from '@nestjs/common';
import { TeamsModule } from '../teams/teams.module';
import { InvitationsModule } from '../invitations/invitations.module';
import { MailModule } from '../mail/mail.module';
import { DirectoryPagesController } from './directory-pages.controller';
import { DirectoryController } from './directory.controller';
import { DirectoryService } from './directory.service';
import { EmployeesRepository } from './employees.repository';
import { TeamProfilePagesController } from './team-profile-pages.controller';
import { TeamProfileController } from './team-profile.controller';
import { TeamProfilesService } from './team-profiles.service';

@Module({
  imports: [InvitationsModule, MailModule, TeamsModule],
  controllers: [
    DirectoryController,
    DirectoryPagesController,
    TeamProfileController,
    TeamProfilePagesController,
  ],
  providers: [DirectoryService, EmployeesRepository, TeamProfilesService],
  exports: [DirectoryService],
})
export class DirectoryModule {}
