import { Module } from '@nestjs/common';
import { DirectoryModule } from '../directory/directory.module';
import { InvitationsModule } from '../invitations/invitations.module';
import { MailModule } from '../mail/mail.module';
import { SurveysModule } from '../surveys/surveys.module';
import { TeamsModule } from '../teams/teams.module';
import { ReviewPagesController } from './review-pages.controller';
import { ReviewsController } from './reviews.controller';
import { ReviewsRepository } from './reviews.repository';
import { ReviewsService } from './reviews.service';

/** Anonymous reviews at any time: a personal link on request, one review per team and month. */
@Module({
  imports: [TeamsModule, DirectoryModule, SurveysModule, InvitationsModule, MailModule],
  controllers: [ReviewPagesController, ReviewsController],
  providers: [ReviewsRepository, ReviewsService],
  exports: [ReviewsService],
})
export class ReviewsModule {}
