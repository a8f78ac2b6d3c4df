import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { periodStart } from '../responses/release-periods';
import type { PendingAnswer } from '../responses/entities/pending-response.entity';
import type { Submission } from '../responses/release-plan';
import { ResponsesService } from '../responses/responses.service';
import { ReviewsService } from '../reviews/reviews.service';
import { SurveysService } from '../surveys/surveys.service';
import { DEMO_TEAMS } from './demo-data';
import { type DemoPerson, isoDate, prng } from './demo-random';

/** The teams that have past anonymous reviews in the demo, and how many closed months of them. */
export const DEMO_REVIEWED_TEAMS = ['it-service-desk', 'hr', 'facilities', 'finance'];
export const DEMO_REVIEW_MONTHS = 3;

/**
 * Answers to the built-in review questionnaire's open questions ("What works well?", "What
 * should change?"), in each employee language.
 */
const REVIEW_COMMENTS: Record<'works' | 'change', Record<string, string[]>> = {
  works: {
    en: [
      'They answer quickly and explain what happens next.',
      'Friendly people who take the time to listen.',
      'The self-service pages cover most of what I need.',
      'Whoever picks up owns the problem until it is solved.',
    ],
    es: [
      'Responden rápido y explican qué pasará después.',
      'Gente amable que se toma el tiempo de escuchar.',
      'Las páginas de autoservicio cubren casi todo lo que necesito.',
    ],
    ja: [
      '返信が早く、次に何が起きるかを説明してくれます。',
      '親身になって話を聞いてくれます。',
      'セルフサービスのページでほとんど解決できます。',
    ],
    fa: [
      'سریع پاسخ می‌دهند و توضیح می‌دهند قدم بعدی چیست.',
      'افرادی مهربان که برای شنیدن وقت می‌گذارند.',
      'صفحه‌های خودخدمت بیشتر نیازهای مرا پوشش می‌دهند.',
    ],
  },
  change: {
    en: [
      'Tell us when a request is waiting on someone else.',
      'Longer opening hours for colleagues in other time zones.',
      'The request form asks for too much before anyone looks at it.',
      'Hard to know which team to ask first.',
    ],
    es: [
      'Avisad cuando una solicitud está esperando a otra persona.',
      'Un horario más amplio para los compañeros de otras zonas horarias.',
      'Cuesta saber a qué equipo preguntar primero.',
    ],
    ja: [
      '依頼が他の人の対応待ちのときは知らせてほしいです。',
      '他のタイムゾーンの同僚のために受付時間を延ばしてほしいです。',
      'まずどのチームに聞けばよいのか分かりにくいです。',
    ],
    fa: [
      'وقتی درخواستی منتظر شخص دیگری است، به ما خبر دهید.',
      'ساعت کاری طولانی‌تر برای همکاران در منطقه‌های زمانی دیگر.',
      'سخت است بدانیم اول از کدام تیم بپرسیم.',
    ],
  },
};

/**
 * The demo's past anonymous reviews: for a few main teams, a review survey for each of the last
 * DEMO_REVIEW_MONTHS closed months (made by the reviews feature, as a request in that month
 * would have made it) and its answers, released once, after the month, as the mixer releases
 * reviews: at least m (MIX_BATCH_SIZE) different people, no segments.
 */
@Injectable()
export class DemoReviewsService {
  constructor(
    private readonly reviews: ReviewsService,
    private readonly surveys: SurveysService,
    private readonly responses: ResponsesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Seeds the reviews; returns how many answers it released. */
  async seed(now: number, people: DemoPerson[]): Promise<number> {
    // A random sequence of its own, so that the rest of the demo stays as it was tuned.
    const random = prng(20261205);
    const m = this.config.mixBatchSize;
    const today = new Date(now);
    let released = 0;
    for (const slug of DEMO_REVIEWED_TEAMS) {
      const team = await this.reviews.team(slug);
      const mood = DEMO_TEAMS.find((t) => t.slug === slug)?.mood ?? 0;
      for (let back = DEMO_REVIEW_MONTHS; back >= 1; back--) {
        const month = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth() - back, 15));
        const surveyId = await this.reviews.monthlySurvey(team, month);
        const { questionnaireId } = await this.surveys.getSurvey(surveyId);
        const questions = (await this.surveys.getQuestionnaire(questionnaireId)).questions ?? [];
        const nps = questions.find((q) => q.type === 'nps');
        const open = questions.filter((q) => q.type === 'text');
        if (!nps) continue;

        // One review per person, team and month: distinct people, at least m of them.
        const reviewers = [...people]
          .filter((p) => p.active)
          .sort(() => random.next() - 0.5)
          .slice(0, random.int(m + 2, m + 8));
        if (reviewers.length < m) continue;
        // Each open question gets enough comments to clear the comment threshold.
        const commenters = open.map(() =>
          random.int(Math.min(this.config.commentThreshold, reviewers.length), reviewers.length),
        );
        // The mood gets a little better month by month.
        const shift = (DEMO_REVIEW_MONTHS - back) * 0.05;
        const submissions: Submission[] = reviewers.map((person, index) => {
          const score = Math.max(
            0,
            Math.min(10, Math.round(7.2 + (mood + shift) * 6 + (random.next() - 0.5) * 5)),
          );
          const answers: PendingAnswer[] = [
            { question_id: nps.id, score, option_key: null, text: null },
          ];
          open.forEach((question, q) => {
            if (index >= commenters[q]) return;
            const kind = q % 2 === 0 ? 'works' : 'change';
            const pool = REVIEW_COMMENTS[kind][person.locale] ?? REVIEW_COMMENTS[kind].en;
            answers.push({
              question_id: question.id,
              score: null,
              option_key: null,
              text: random.pick(pool),
            });
          });
          return {
            id: `review-${slug}-${back}-${index}`,
            person: person.id,
            askedAll: false,
            segments: {},
            blocks: [{ teamId: team.id, answers }],
          };
        });
        // Released after the month, dated by the month's last period, as the mixer would.
        const lastDay = new Date(Date.UTC(month.getUTCFullYear(), month.getUTCMonth() + 1, 0));
        released += await this.responses.writeRelease({
          surveyId,
          questionnaireId,
          source: 'review',
          releasedOn: periodStart(isoDate(lastDay.getTime())),
          submissions,
        });
      }
    }
    return released;
  }
}
