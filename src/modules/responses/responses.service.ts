import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { keyedHash, openJson, sealJsonAtSize } from '../../common/crypto/sealing';
import type { DomainError } from '../../common/errors/domain-error';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { JobsService } from '../../jobs/jobs.service';
import { hashToken } from '../invitations/tokens';
import { InvitationsService, type SurveyLink } from '../invitations/invitations.service';
import type { Questionnaire } from '../surveys/entities/questionnaire.entity';
import type { PendingAnswer, SealedSubmission } from './entities/pending-response.entity';
import {
  type Dimension,
  PULSE_DIMENSIONS,
  ReleaseTally,
  REVIEW_DIMENSIONS,
  shuffled,
  type Submission,
  TICKET_DIMENSIONS,
} from './release-plan';
import { previousPeriodStart, periodStart } from './release-periods';
import { ResponseErrors } from './responses.errors';
import { sealedAnswerSize } from './sealed-size';
import {
  type PendingRow,
  type PeriodicSource,
  type ReleaseUnit,
  ResponsesRepository,
  type ReleaseWriter,
} from './responses.repository';
import type { SurveySource } from '../surveys/entities/survey.entity';

/** The segments each source's releases name. */
const DIMENSIONS_OF: Record<SurveySource, Dimension[]> = {
  pulse: PULSE_DIMENSIONS,
  ticket: TICKET_DIMENSIONS,
  review: REVIEW_DIMENSIONS,
};
import type { SurveyFormContext } from './survey-form-context';

export const MIX_QUEUE = 'responses.mix';

type OpenedSubmission = Submission & { invitationId: string };

/** Questionnaires (× rated teams) whose sealed size is kept; they never change once made. */
const SIZE_CACHE_LIMIT = 500;
const SEAL_PURPOSE = 'pending-answer';
const CLAIM_PURPOSE = 'answer-claim';
/** A survey's answers are released this long after it closed (a submit may still be in flight). */
const CLOSE_GRACE_MS = 60_000;
/** Pending rows opened at once during a release. */
const CHUNK = 1000;
const TICKET_MARKER = 'ticket';

/**
 * The answer path and the mixer. A submit seals the answer and stores it as pending under the
 * claim key of its invitation, in one statement that writes nothing else. The mixer releases
 * pending answers in batches of at least m different people of one release unit, each in a
 * transaction of its own that writes the responses in random order, the segment aggregates, marks
 * the invitations answered and deletes the pending rows, then vacuums them away:
 * - a pulse survey is released once, after it has closed (its teams below m: dropped unread);
 * - answers after tickets are released per team and questionnaire after each period (a week
 *   within a month) has closed, dated by that period's first day; a group below m waits for the
 *   next period;
 * - anonymous reviews likewise, per team and period, apart from the answers after tickets (a
 *   source of their own, with no segment).
 */
@Injectable()
export class ResponsesService implements OnModuleInit {
  private readonly logger = new Logger('Responses');
  /** The sealed size of each questionnaire asked about so many teams (see sealed-size.ts). */
  private readonly sealedSizes = new Map<string, number>();

  constructor(
    private readonly responses: ResponsesRepository,
    private readonly invitations: InvitationsService,
    private readonly jobs: JobsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    this.invitations.useClaims((invitationIds) => this.claimedAmong(invitationIds));
    await this.jobs.register({
      name: MIX_QUEUE,
      handler: () => this.mix().then(() => undefined),
      cron: '* * * * *',
      retryLimit: 3,
    });
  }

  /** The key under which an invitation's answer waits: unreadable without APP_SECRET. */
  claimKey(invitationId: string): Buffer {
    return keyedHash(this.config.appSecret, CLAIM_PURPOSE, invitationId);
  }

  /** Which of these invitations have an answer waiting for its release. */
  async claimedAmong(invitationIds: string[]): Promise<Set<string>> {
    const keys = invitationIds.map((id) => this.claimKey(id));
    const claimed = await this.responses.claimedAmong(keys);
    return new Set(invitationIds.filter((_, i) => claimed.has(keys[i].toString('hex'))));
  }

  /**
   * The survey behind a token, or why it cannot be answered (unknown: 404; answered — released
   * or waiting — or expired: 410). A known link comes back either way, so its page can speak the
   * person's language.
   */
  async openLink(token: string): Promise<{ link?: SurveyLink; problem?: DomainError }> {
    const link = await this.invitations.findLink(token);
    if (!link) return { problem: ResponseErrors.unknownLink() };
    if (link.answered || (await this.responses.claimed(this.claimKey(link.invitationId))))
      return { link, problem: ResponseErrors.alreadyAnswered() };
    if (new Date(link.expiresAt).getTime() <= Date.now())
      return { link, problem: ResponseErrors.expired() };
    return { link };
  }

  /**
   * Seals the answers and keeps them as pending under the invitation's claim key, in one
   * statement. Every answer to the survey is sealed at one size, the largest its questionnaire
   * can produce, so that neither a row's size nor the WAL tells a long comment from a short one
   * (a larger one, which validation should make impossible, is refused: 413). `alongside`
   * writes in the same transaction once the link is claimed (a request to be contacted). Returns
   * false when the link cannot be claimed (answered meanwhile — e.g. by a simultaneous submit —,
   * expired, deactivated, or not this survey's); nothing is written then.
   */
  async submit(
    token: string,
    context: SurveyFormContext,
    questionnaire: Questionnaire,
    blocks: { teamId: string; answers: PendingAnswer[] }[],
    alongside?: (manager: EntityManager) => Promise<void>,
  ): Promise<boolean> {
    const submission: SealedSubmission = { invitationId: context.invitationId, blocks };
    const size = this.sealedSize(questionnaire, context.blocks?.length ?? 1);
    const sealed = sealJsonAtSize(this.config.appSecret, SEAL_PURPOSE, submission, size);
    if (!sealed) throw ResponseErrors.answerTooLarge();
    return this.responses.claimAndStore(
      {
        tokenHash: hashToken(token),
        invitationId: context.invitationId,
        surveyId: context.surveyId,
        claimKey: this.claimKey(context.invitationId),
        sealed,
      },
      alongside,
    );
  }

  /** The one sealed size of a questionnaire's answers about `blocks` teams, computed once. */
  private sealedSize(questionnaire: Questionnaire, blocks: number): number {
    const key = `${questionnaire.id}/${blocks}`;
    let size = this.sealedSizes.get(key);
    if (size === undefined) {
      size = sealedAnswerSize(questionnaire.questions ?? [], blocks);
      if (this.sealedSizes.size >= SIZE_CACHE_LIMIT)
        this.sealedSizes.delete(this.sealedSizes.keys().next().value as string);
      this.sealedSizes.set(key, size);
    }
    return size;
  }

  /**
   * Job `responses.mix` (every minute): releases what is due at `now` — pulse surveys closed
   * since, and answers after tickets once a period has closed — then vacuums the pending table.
   * Returns how many responses it wrote.
   */
  async mix(now = new Date()): Promise<number> {
    let written = 0;
    let touched = false;
    for (const survey of await this.responses.closedSurveys(
      new Date(now.getTime() - CLOSE_GRACE_MS),
    )) {
      const result = await this.releaseSurvey(survey);
      written += result?.written ?? 0;
      touched ||= (result?.consumed ?? 0) > 0;
    }
    const today = now.toISOString().slice(0, 10);
    const current = periodStart(today);
    const through = await this.responses.marker(TICKET_MARKER);
    // The first run ever starts counting periods: answers of the current one wait for its end.
    if (through === undefined) await this.responses.setMarker(TICKET_MARKER, current);
    else if (through < current) {
      const releasedOn = previousPeriodStart(current);
      for (const source of ['ticket', 'review'] as const)
        for (const unit of await this.responses.unitsWithPending(source)) {
          const result = await this.releasePeriodic({ ...unit, source }, releasedOn);
          written += result?.written ?? 0;
          touched ||= (result?.consumed ?? 0) > 0;
        }
      await this.responses.setMarker(TICKET_MARKER, current);
    }
    if (touched) await this.responses.vacuumPending();
    if (written > 0) this.logger.log(`released ${written} response(s)`);
    return written;
  }

  /**
   * Writes a release from submissions already open (the demo's history), by the same rules and
   * through the same writer as the mixer. Returns how many responses it wrote.
   */
  async writeRelease(input: {
    surveyId: string;
    questionnaireId: string;
    source: SurveySource;
    releasedOn: string;
    submissions: Submission[];
  }): Promise<number> {
    const questionTypes = await this.responses.questionTypes([input.questionnaireId]);
    const tally = new ReleaseTally({
      m: this.config.mixBatchSize,
      mode: 'final',
      dimensions: DIMENSIONS_OF[input.source],
      questionTypes,
      askedToSome: new Set(
        [...questionTypes].filter(([, type]) => type === 'enps').map(([id]) => id),
      ),
    });
    input.submissions.forEach((s) => tally.add(s));
    const written = await this.responses.release(
      { surveyId: input.surveyId, source: input.source, releasedOn: input.releasedOn },
      async (writer) => {
        await writer.addResponses(
          shuffled(input.submissions.flatMap((s) => tally.answersFor(s).blocks)),
        );
        return writer.finish({
          cells: tally.cells(),
          answeredInvitations: [],
          consumedPending: [],
        });
      },
    );
    return written ?? 0;
  }

  /** One pulse survey, after it closed: its teams of at least m people, once. */
  private async releaseSurvey(survey: {
    id: string;
    questionnaireId: string;
    releasedOn: string;
    released: boolean;
  }) {
    const questionTypes = await this.responses.questionTypes([survey.questionnaireId]);
    return this.responses.release(
      { surveyId: survey.id, source: 'pulse', releasedOn: survey.releasedOn },
      async (writer, manager) => {
        // Answers that came in after the release (as the survey closed) are dropped unread.
        const result = await this.runRelease(
          writer,
          { surveyId: survey.id },
          {
            mode: 'final',
            dimensions: PULSE_DIMENSIONS,
            questionTypes,
            dropAll: survey.released,
          },
        );
        await this.responses.markReleased(manager, survey.id);
        if (result.belowM.length > 0)
          this.logger.log(
            `survey ${survey.id}: ${result.belowM.length} team(s) below ${this.config.mixBatchSize} people, not released`,
          );
        return result;
      },
    );
  }

  /**
   * A team's answers after tickets (or its reviews) asked with one questionnaire, once a period
   * has closed: filed under the team's newest survey of the source with that questionnaire, in
   * groups of at least m people; fewer wait (carry). A team's questionnaire may change from one
   * month to the next, and an answer keeps its questions' ids: answers to two questionnaires are
   * never one batch, or the one person who answered the old one would stand alone in it.
   */
  private async releasePeriodic(
    unit: { teamId: string; source: PeriodicSource; questionnaireId: string },
    releasedOn: string,
  ) {
    const { teamId, source, questionnaireId } = unit;
    const surveyId = await this.responses.newestSurveyOf(teamId, source, questionnaireId);
    if (!surveyId) return undefined;
    const questionTypes = await this.responses.questionTypes([questionnaireId]);
    return this.responses.release({ surveyId, source, releasedOn }, (writer) =>
      this.runRelease(writer, unit, {
        mode: 'carry',
        dimensions: DIMENSIONS_OF[source],
        questionTypes,
        dropAll: false,
      }),
    );
  }

  /** The two passes of a release over its pending rows (see release-plan.ts). */
  private async runRelease(
    writer: ReleaseWriter,
    where: ReleaseUnit,
    plan: {
      mode: 'final' | 'carry';
      dimensions: Dimension[];
      questionTypes: Map<string, string>;
      dropAll: boolean;
    },
  ): Promise<{ written: number; consumed: number; belowM: { teamId: string; people: number }[] }> {
    const askedToSome = new Set(
      [...plan.questionTypes].filter(([, type]) => type === 'enps').map(([id]) => id),
    );
    const tally = new ReleaseTally({
      m: this.config.mixBatchSize,
      mode: plan.mode,
      dimensions: plan.dimensions,
      questionTypes: plan.questionTypes,
      askedToSome,
    });
    const eachChunk = async (
      visit: (submissions: OpenedSubmission[], rows: PendingRow[]) => Promise<void>,
    ) => {
      let after: string | null = null;
      for (;;) {
        const rows = await writer.pending(where, after, CHUNK);
        if (rows.length === 0) return;
        after = rows[rows.length - 1].id;
        await visit(await this.open(writer, rows), rows);
      }
    };
    if (!plan.dropAll)
      await eachChunk(async (submissions) => submissions.forEach((s) => tally.add(s)));
    const answered: string[] = [];
    const consumed: string[] = [];
    await eachChunk(async (submissions, rows) => {
      const opened = new Set(submissions.map((s) => s.id));
      // A row that cannot be opened (sealed under another APP_SECRET) can never be released.
      consumed.push(...rows.filter((r) => !opened.has(r.id)).map((r) => r.id));
      const responses: { teamId: string; answers: PendingAnswer[] }[] = [];
      for (const submission of submissions) {
        const { blocks, consumed: gone } = plan.dropAll
          ? { blocks: [], consumed: true }
          : tally.answersFor(submission);
        responses.push(...blocks);
        if (!gone) continue;
        consumed.push(submission.id);
        answered.push(submission.invitationId);
      }
      // Pending ids are random, so the chunks say nothing of when anyone answered; shuffled too.
      await writer.addResponses(shuffled(responses));
    });
    const written = await writer.finish({
      cells: plan.dropAll ? [] : tally.cells(),
      answeredInvitations: answered,
      consumedPending: consumed,
    });
    return { written, consumed: consumed.length, belowM: plan.dropAll ? [] : tally.outcome.belowM };
  }

  /** Pending rows opened, with what the release needs of their invitations. */
  private async open(writer: ReleaseWriter, rows: PendingRow[]): Promise<OpenedSubmission[]> {
    const sealed = rows
      .map((row) => ({
        row,
        content: openJson<SealedSubmission>(this.config.appSecret, SEAL_PURPOSE, row.sealed),
      }))
      .filter((x): x is { row: PendingRow; content: SealedSubmission } => x.content !== undefined);
    const invitations = new Map(
      (await writer.invitations(sealed.map((x) => x.content.invitationId))).map((i) => [i.id, i]),
    );
    return sealed.flatMap(({ row, content }) => {
      const invitation = invitations.get(content.invitationId);
      if (!invitation) return [];
      return [
        {
          id: row.id,
          invitationId: invitation.id,
          person: invitation.employeeId,
          askedAll: invitation.asksEnps,
          segments: {
            department: invitation.department,
            location: invitation.location,
            tenure_band: invitation.tenureBand,
            resolution_band: invitation.resolutionBand,
          },
          blocks: content.blocks,
        },
      ];
    });
  }
}
