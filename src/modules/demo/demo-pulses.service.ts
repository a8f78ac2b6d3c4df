import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import type { PendingAnswer } from '../responses/entities/pending-response.entity';
import type { Submission } from '../responses/release-plan';
import { ResponsesService } from '../responses/responses.service';
import { SurveysService } from '../surveys/surveys.service';
import { COMMENTS, DEMO_QUESTIONNAIRE, DEMO_TEAMS } from './demo-data';
import { DAY, type DemoPerson, type Random, tenureBand, WEEKS } from './demo-random';
import { InvitationsService } from '../invitations/invitations.service';
import { type HistoricInvitation, type HistoricSurvey, pastTeamSurvey } from './demo-history';

/**
 * The demo's past pulses: one survey every four weeks per team over the last WEEKS weeks, each
 * sent to 70–110 people and answered by about half of them, released when it closed.
 */
@Injectable()
export class DemoPulsesService {
  constructor(
    private readonly surveys: SurveysService,
    private readonly invitations: InvitationsService,
    private readonly responses: ResponsesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Creates the pulse questionnaire and its history; returns it and how many answered. */
  async seed(
    random: Random,
    now: number,
    teamIds: Record<string, string>,
    people: DemoPerson[],
  ): Promise<{ questionnaireId: string; answered: number }> {
    const questionnaire = await this.surveys.createQuestionnaire(DEMO_QUESTIONNAIRE);
    const questions = questionnaire.questions ?? [];
    const [nps, resolved, informed, ces, channel, why] = questions;

    const surveys: HistoricSurvey[] = [];
    const invitations: HistoricInvitation[] = [];
    /** Each past survey's answers, released when it closed (by the mixer's rules). */
    const submissions = new Map<string, Submission[]>();
    let answeredCount = 0;
    const start = now - WEEKS * 7 * DAY;
    for (const team of DEMO_TEAMS) {
      // One survey every four weeks per team, each answered over its four weeks.
      for (let block = 0; block < WEEKS / 4; block++) {
        const key = `${team.slug}-${block}`;
        const opens = start + block * 28 * DAY;
        surveys.push({
          key,
          name: `${team.name} — pulse ${block + 1}`,
          teamId: teamIds[team.slug],
          questionnaireId: questionnaire.id,
          closesAt: new Date(Math.min(opens + 28 * DAY, now - DAY)).toISOString(),
          reportingThreshold: this.config.reportingThreshold,
        });
        const audience = [...people].sort(() => random.next() - 0.5).slice(0, random.int(70, 110));
        const rate = 0.45 + random.next() * 0.3;
        audience.forEach((person, index) => {
          const answered = index < audience.length * rate;
          random.int(0, 26); // (keeps the demo's random sequence as it was tuned)
          const segment = {
            department: person.department,
            location: person.location,
            tenure_band: person.hireDate ? tenureBand(person.hireDate, opens) : null,
          };
          invitations.push({
            survey: key,
            employee_id: person.id,
            answered,
            sent_at: new Date(opens).toISOString(),
            ...segment,
          });
          if (!answered) return;
          // Mood improves a little over the quarter, with noise per team.
          const mood = team.mood + block * 0.05 + (random.next() - 0.5) * 0.3;
          const score = Math.max(
            0,
            Math.min(10, Math.round(7.2 + mood * 6 + (random.next() - 0.5) * 5)),
          );
          const sentiment = score >= 9 ? 'good' : score >= 7 ? 'mixed' : 'bad';
          const rating = () =>
            Math.max(1, Math.min(5, Math.round(score / 2.2 + (random.next() - 0.5) * 2)));
          const answers: PendingAnswer[] = [
            { question_id: nps.id, score, option_key: null, text: null },
            { question_id: resolved.id, score: rating(), option_key: null, text: null },
            { question_id: informed.id, score: rating(), option_key: null, text: null },
            {
              question_id: ces.id,
              score: Math.max(
                1,
                Math.min(7, Math.round(score * 0.6 + 1 + (random.next() - 0.5) * 2)),
              ),
              option_key: null,
              text: null,
            },
            {
              question_id: channel.id,
              score: null,
              option_key: random.pick(['portal', 'portal', 'email', 'chat', 'phone']),
              text: null,
            },
          ];
          if (random.next() < 0.4) {
            const pool = COMMENTS[sentiment][person.locale] ?? COMMENTS[sentiment].en;
            answers.push({
              question_id: why.id,
              score: null,
              option_key: null,
              text: random.pick(pool),
            });
          }
          submissions.set(key, [
            ...(submissions.get(key) ?? []),
            {
              id: `${key}-${person.id}`,
              person: person.id,
              askedAll: false,
              segments: segment,
              blocks: [{ teamId: teamIds[team.slug], answers }],
            },
          ]);
          answeredCount += 1;
        });
      }
    }
    const surveyIds = await this.surveys.recordPastSurveys(surveys.map(pastTeamSurvey));
    await this.invitations.recordPastInvitations(
      invitations.map(({ survey, ...invitation }) => ({
        ...invitation,
        survey_id: surveyIds[survey],
        expires_at: new Date(Date.parse(invitation.sent_at) + 14 * DAY).toISOString(),
      })),
    );
    for (const survey of surveys)
      await this.responses.writeRelease({
        surveyId: surveyIds[survey.key],
        questionnaireId: survey.questionnaireId,
        source: 'pulse',
        releasedOn: survey.closesAt.slice(0, 10),
        submissions: submissions.get(survey.key) ?? [],
      });
    return { questionnaireId: questionnaire.id, answered: answeredCount };
  }
}
