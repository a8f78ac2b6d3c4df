import type { I18n } from '../../common/i18n/i18n.service';
import type { LocalizedText } from '../surveys/entities/question.entity';
import type { Questionnaire } from '../surveys/entities/questionnaire.entity';
import { SCORE_RANGES } from '../surveys/question-types';
import type { SurveyLink } from '../invitations/invitations.service';
import {
  FIELD_PREFIX,
  type FieldError,
  validateAnswers,
  validateBlocks,
  type ValidatedForm,
} from './answer-validation';
import type { PendingAnswer } from './entities/pending-response.entity';
import { CONTEXT_FIELD, type SurveyFormContext } from './survey-form-context';
import { CSRF_FIELD } from '../../common/http/csrf';

/** The questions a person is asked: all, or those of `only` (rotation, eNPS), in order. */
export function askedQuestions(questionnaire: Questionnaire, only?: string[]) {
  const all = questionnaire.questions ?? [];
  return only ? all.filter((q) => only.includes(q.id)) : all;
}

function pick(text: LocalizedText, locale: string, fallback: string): string {
  return text[locale] ?? text[fallback] ?? Object.values(text)[0] ?? '';
}

/** What pages/survey/form.hbs needs to draw each question, with values and errors kept. */
export function surveyFormQuestions(
  questionnaire: Questionnaire,
  locale: string,
  i18n: I18n,
  state: {
    values?: Map<string, string[]>;
    errors?: Map<string, FieldError>;
    preselectScore?: number;
    /** Block `t<i>_` of a multi-team form: prefixes field names and element ids. */
    block?: number;
    /** Only these questions (rotation); all when absent. */
    only?: string[];
    /** Fills `{team}` in question texts (the ticket survey asks about "{team}"). */
    teamName?: string;
  } = {},
) {
  let preselectUsed = false;
  const prefix = state.block === undefined ? '' : `t${state.block}_`;
  return askedQuestions(questionnaire, state.only).map((question, index) => {
    let values = state.values?.get(question.id) ?? [];
    if (
      question.type === 'nps' &&
      !preselectUsed &&
      state.preselectScore !== undefined &&
      values.length === 0
    ) {
      values = [String(state.preselectScore)];
      preselectUsed = true;
    }
    const range = SCORE_RANGES[question.type];
    const error = state.errors?.get(question.id);
    return {
      id: state.block === undefined ? question.id : `${state.block}-${question.id}`,
      number: index + 1,
      name: prefix + FIELD_PREFIX + question.id,
      type: question.type,
      required: question.required,
      text: pick(question.text, locale, questionnaire.defaultLocale).replaceAll(
        '{team}',
        state.teamName ?? '',
      ),
      isScale: range !== undefined,
      isNps: question.type === 'nps' || question.type === 'enps',
      scale: range
        ? Array.from({ length: range.max - range.min + 1 }, (_, i) => {
            const value = String(range.min + i);
            return { value, checked: values.includes(value) };
          })
        : [],
      lowLabel: range ? i18n.t(locale, `survey.scale.${question.type}_low`) : undefined,
      highLabel: range ? i18n.t(locale, `survey.scale.${question.type}_high`) : undefined,
      isSingle: question.type === 'single',
      isMulti: question.type === 'multi',
      options: (question.options ?? []).map((option) => ({
        key: option.key,
        label: pick(option.label, locale, questionnaire.defaultLocale),
        checked: values.includes(option.key),
      })),
      isText: question.type === 'text',
      value: question.type === 'text' ? (values[0] ?? '') : undefined,
      maxLength: question.maxLength ?? undefined,
      error: error ? i18n.t(locale, error.key, error.vars) : undefined,
    };
  });
}

/** What a form is drawn with: values and errors kept, per block for a multi-team form. */
export interface FormState extends Partial<ValidatedForm> {
  preselectScore?: number;
  blocks?: (Partial<ValidatedForm> & { skipped?: boolean })[];
  errorCount?: number;
}

/** The form's context for a link: its blocks (subject `teams`) and the questions asked. */
export function formContextOf(
  link: SurveyLink,
  questionnaire: Questionnaire,
  locale: string,
): SurveyFormContext {
  const enps = (questionnaire.questions ?? []).filter((q) => q.type === 'enps').map((q) => q.id);
  let asked = link.questionIds ?? undefined;
  if (!link.asksEnps && enps.length > 0) {
    asked = (asked ?? (questionnaire.questions ?? []).map((q) => q.id)).filter(
      (id) => !enps.includes(id),
    );
  }
  const blocks =
    link.subject === 'teams'
      ? (link.ratedTeams ?? []).map((t) => ({ teamId: t.id, teamName: t.name }))
      : undefined;
  const teamId =
    link.subject === 'own_team' ? link.ownTeamId : (link.teamId ?? blocks?.[0]?.teamId);
  return {
    surveyId: link.surveyId,
    invitationId: link.invitationId,
    questionnaireId: link.questionnaireId,
    teamId: teamId ?? '',
    teamName:
      link.subject === 'own_team'
        ? (link.ownTeamName ?? link.teamName)
        : // A campaign wave speaks the respondent's language, never HR's internal name.
          (link.surveyTitles?.[locale] ?? link.surveyTitles?.en ?? link.teamName),
    k: link.reportingThreshold,
    locale,
    ...(blocks ? { blocks } : {}),
    ...(asked ? { questionIds: asked } : {}),
    ...(link.source === 'ticket' ? { ticket: true } : {}),
    ...(link.source === 'review' ? { review: true } : {}),
  };
}

/**
 * Checks a submitted form against its context: one block, or one per rated team. Returns the
 * answers per team to store, or the state to draw the form again with.
 */
export function checkForm(
  questionnaire: Questionnaire,
  context: SurveyFormContext,
  form: Record<string, unknown>,
):
  | { invalid: true; state: FormState }
  | { invalid: false; blocks: { teamId: string; answers: PendingAnswer[] }[] } {
  const questions = askedQuestions(questionnaire, context.questionIds);
  const ignored = [CSRF_FIELD, CONTEXT_FIELD];
  if (!context.blocks) {
    const validated = validateAnswers(questions, form, ignored);
    if (validated.errors.size > 0 || validated.formErrors.length > 0)
      return { invalid: true, state: { ...validated, errorCount: validated.errors.size } };
    return { invalid: false, blocks: [{ teamId: context.teamId, answers: validated.answers }] };
  }
  const validated = validateBlocks(questions, context.blocks.length, form, ignored);
  if (validated.errorCount > 0 || validated.formErrors.length > 0)
    return {
      invalid: true,
      state: {
        blocks: validated.blocks,
        formErrors: validated.formErrors,
        errorCount: validated.errorCount,
      },
    };
  return {
    invalid: false,
    blocks: context
      .blocks!.map((b, i) => ({ teamId: b.teamId, answers: validated.blocks[i].answers }))
      .filter((b) => b.answers.length > 0),
  };
}

/** Everything pages/survey/form.hbs needs but the form's action and hidden fields. */
export function surveyFormView(
  questionnaire: Questionnaire,
  context: SurveyFormContext,
  i18n: I18n,
  state: FormState,
) {
  const { locale } = context;
  const only = context.questionIds;
  const blocks = context.blocks?.map((block, index) => {
    const own = state.blocks?.[index] ?? {};
    return {
      title: i18n.t(locale, 'survey.block_title', { team: block.teamName }),
      skipName: `t${index}_skip`,
      skipId: `skip-${index}`,
      skipped: own.skipped ?? false,
      questions: surveyFormQuestions(questionnaire, locale, i18n, {
        ...own,
        block: index,
        only,
        teamName: block.teamName,
      }),
    };
  });
  const questions = blocks
    ? []
    : surveyFormQuestions(questionnaire, locale, i18n, {
        ...state,
        only,
        teamName: context.teamName,
      });
  const errorItems = blocks
    ? blocks.flatMap((b) =>
        b.questions
          .filter((q) => q.error)
          .map((q) => ({ id: q.id, label: `${b.title} — ${q.number}. ${q.error}` })),
      )
    : questions.filter((q) => q.error).map((q) => ({ id: q.id, label: `${q.number}. ${q.error}` }));
  return {
    locale,
    dir: i18n.info(locale).dir,
    title: i18n.t(locale, 'survey.title', { team: context.teamName }),
    heading: blocks
      ? i18n.t(locale, 'survey.heading_many', { name: context.teamName })
      : i18n.t(locale, 'survey.heading', { team: context.teamName }),
    teamName: context.teamName,
    k: context.k,
    blocks,
    questions,
    errorCount: state.errorCount ?? state.errors?.size ?? 0,
    errorItems,
    formErrors: (state.formErrors ?? []).map((e) => i18n.t(locale, e.key, e.vars)),
  };
}
