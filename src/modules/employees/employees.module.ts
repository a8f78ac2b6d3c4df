import { Module } from '@nestjs/common';
import { DirectoryModule } from '../directory/directory.module';
import { InvitationsModule } from '../invitations/invitations.module';
import { MailModule } from '../mail/mail.module';
import { EmployeePagesController } from './employee-pages.controller';
import { EmployeeSessionsRepository } from './employee-sessions.repository';
import { EmployeeSessionsService } from './employee-sessions.service';

/** Employees sign in: mailed single-use links, sessions bound to the employee, my surveys. */
@Module({
  imports: [DirectoryModule, InvitationsModule, MailModule],
  controllers: [EmployeePagesController],
  providers: [EmployeeSessionsService, EmployeeSessionsRepository],
  exports: [EmployeeSessionsService],
})
export class EmployeesModule {}
